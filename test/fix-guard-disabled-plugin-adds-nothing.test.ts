// A plugin that does not run for a site adds nothing to its request guard: npm's scoped names are the
// only place `%2f` is allowed, so where npm is off (a root, a child with `npm.enabled: false`) an
// encoded slash is refused like anywhere else and never reaches a route or the root.
import t, { type Test } from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { startRoot } from './helpers/hub.ts'
import { connectTls, sendRaw } from './helpers/raw-http.ts'
import type { TestSite } from './helpers/sites.ts'

const TARGETS = ['/@a%2fb', '/@scope%2Fname', '/-/package/@a%2fb/dist-tags', '/@a%2fb/-rev/1-x']

async function expectRefused(t: Test, site: TestSite): Promise<void> {
  const socket = await connectTls(t, site.gw.httpsPort, site.ca)
  for (const target of TARGETS) {
    const res = await sendRaw(socket, `GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`)
    if (res === 'closed') return void t.fail(`${target}: connection closed instead of a 400`)
    t.equal(res.status, 400, `${target} → 400`)
    t.equal(JSON.parse(res.body).error.code, 'GW_ERR_BAD_PATH', `${target} → GW_ERR_BAD_PATH`)
  }
}

t.test('a root (no npm plugin) refuses npm\'s encoded scoped names', async (t) => {
  const root = await startRoot(t)
  await expectRefused(t, root)
})

t.test('a child with npm.enabled: false refuses them, and its root sees nothing', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'no-npm', { clock: t.clock, extra: 'npm: { enabled: false }\n' })
  await expectRefused(t, site)
  t.same(origin.seen, [], 'the root saw nothing')
})
