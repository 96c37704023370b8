// A site pushing over a link (a real `fedgate start` process) is SIGKILLed in the middle of a big blob,
// and the wire is cut with it (a TCP proxy between the sites drops what the kernel still buffered, which
// would otherwise finish the upload on the dead process's behalf). The receiver keeps serving its last
// good state (the half-sent repository is not there), and once the pusher is back the upload continues
// from the bytes the receiver kept: the bytes crossing the wire after the restart are the remainder,
// not the whole blob again.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { startProcess } from './helpers/process.ts'
import { linkStatus, linksBefore, startLinked, writeLinkedYaml } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'
import { blobBytes, sha256, startTcpProxy, waitFor } from './helpers/sync.ts'

t.test('a push cut by a SIGKILL resumes without resending what arrived', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['london/*'], mode: 'push' })).token
  const proxy = await startTcpProxy(t, { host: '127.0.0.1', port: tokyo.gw.httpsPort })
  const yaml = { dir, owns: ['london/*'], links: [{ name: 'london', url: proxy.url, token, mode: 'push' as const, repositories: ['london/*'], interval: '300ms' }] }
  const file = writeLinkedYaml('london', yaml)
  const keys = await linksBefore(file, [])
  let london = await startProcess(t, file)
  const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8') } })
  t.teardown(() => agent.close())

  const small = await request(`${london.url}/api/v1/repos/london/app/images/1.0`, { method: 'PUT', body: 'small', headers: { authorization: `Bearer ${keys.publish}` }, dispatcher: agent })
  t.equal(small.statusCode, 201)
  await small.body.dump()
  await waitFor('tokyo holds london/app:1.0', async () => (await fetchText(tokyo, '/api/v1/repos/london/app/images/1.0/content')).body === 'small', 30_000)

  const size = 4 * 1024 * 1024
  const big = blobBytes(size, 7)
  proxy.upRate = 1024 * 1024
  const put = await request(`${london.url}/api/v1/repos/london/app/images/2.0`, { method: 'PUT', body: big, headers: { authorization: `Bearer ${keys.publish}` }, dispatcher: agent })
  t.equal(put.statusCode, 201)
  await put.body.dump()
  const partial = () => tokyo.gw.service<import('../plugins/hub/store/blob-store.ts').FileBlobStore>('blobStore')!.partialSize(sha256(big))
  await waitFor('a MiB of the blob at tokyo', async () => (await partial()) > 1024 * 1024, 30_000)
  await proxy.kill()
  await london.kill()
  // Tokyo has written every byte it received (the cut upload is over there too): the restarted pusher
  // is told a size that no longer moves.
  const received = async () => (await linkStatus(tokyo, 'incoming', 'london')).bytes.in - 5
  await waitFor('tokyo wrote what it received', async () => (await partial()) === (await received()), 30_000)
  const kept = await partial()
  t.ok(kept > 0 && kept < size, `tokyo kept ${kept} bytes of the cut upload`)
  const tags = JSON.parse((await fetchText(tokyo, '/api/v1/repos/london/app')).body).tags
  t.notOk('2.0' in tags, 'tokyo serves its last good state: no 2.0 yet')
  t.equal((await fetchText(tokyo, '/api/v1/repos/london/app/images/1.0/content')).body, 'small', 'and 1.0 as before')

  proxy.upRate = 0
  await proxy.revive()
  const inBefore = (await linkStatus(tokyo, 'incoming', 'london')).bytes.in
  const upBefore = proxy.bytesUp
  london = await startProcess(t, file)
  await waitFor('tokyo holds london/app:2.0', async () => (await fetchText(tokyo, '/api/v1/repos/london/app/images/2.0/content')).status === 200, 30_000)
  const wire = proxy.bytesUp - upBefore
  const rest = (await linkStatus(tokyo, 'incoming', 'london')).bytes.in - inBefore
  // The restarted pusher's bytes on the wire: the blob's remainder, plus TLS, headers and a few exchanges' JSON.
  t.ok(rest > 0 && wire >= rest, `the rest of the blob (${rest} bytes) crossed the wire after the restart`)
  t.ok(wire <= size - kept + 256 * 1024, `${wire} bytes went up after the restart for the ${size - kept} tokyo lacked: what arrived was not sent again`)
  const got = await request(`${tokyo.url}/api/v1/repos/london/app/images/2.0/content`, { dispatcher: tokyo.agent })
  t.equal(sha256(Buffer.from(await got.body.arrayBuffer())), sha256(big), 'the blob verifies')
  const total = (await linkStatus(tokyo, 'incoming', 'london')).bytes.in
  t.ok(total <= size + 5 + 64 * 1024, `tokyo received ${total} blob bytes for ${size + 5}: what arrived before the kill was not sent again`)
})
