// npm escapes a scoped name's slash once (`@scope%2fname`): the guard lets that one `%2f` through, in
// every npm path that carries a scoped name (tarball paths included, as older registries spell them),
// and refuses a path with any other encoded slash before it reaches a route or the root.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { connectTls, expectTargetsRefused, sendRaw } from './helpers/raw-http.ts'

const PASSED = [
  '/@scope%2fname',
  '/@scope%2Fname',
  '/@scope%2fname/-/name-1.0.0.tgz',
  '/@scope%2fname/-/name-1.0.0%2Bbuild.tgz',
  '/@scope%2fname/-rev/3-abc',
  '/-/package/@scope%2fname/dist-tags',
  '/-/package/@scope%2fname/dist-tags/beta',
]
const REFUSED = [
  '/@a%2fb%2fc',
  '/@a%2f%2fb',
  '/@a%2fb%2F..%2f..%2fadmin',
  '/@scope%2fname/-/x%2fy.tgz',
  '/@scope%2fname/-rev/1%2f2',
  '/-/package/@a%2fb%2fc/dist-tags',
  '/-/package/@a%2fb/dist-tags/x%2fy',
]

t.test('one encoded slash in a scoped name passes, any other is refused', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'npm-guard', { clock: t.clock })
  const socket = await connectTls(t, site.gw.httpsPort, site.ca)
  // No JSON Accept: packuments of packages not held here are then forwarded as they are, like tarballs.
  for (const target of PASSED) {
    const res = await sendRaw(socket, `GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`)
    t.equal(res !== 'closed' && res.status, 200, `${target} → forwarded`)
  }
  t.same(
    origin.seen.map((s) => s.url),
    PASSED,
    'the root saw each exactly as the client encoded it',
  )
  await expectTargetsRefused(t, socket, REFUSED, 'GW_ERR_BAD_PATH')
  t.equal(origin.seen.length, PASSED.length, 'the root saw none of the refused paths')
})
