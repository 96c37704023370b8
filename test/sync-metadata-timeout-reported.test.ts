// An upstream that takes a sync's metadata request and never answers is cut at sync.requestTimeout,
// and the repository is failing with the reason it timed out (504's GW_ERR_ROOT_TIMEOUT), not with a
// bad answer it never gave.
import t from 'tap'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { tempDir } from './helpers/sites.ts'
import { startChild, syncOf, waitFor } from './helpers/sync.ts'

t.test('a silent upstream makes the repository fail with a timeout', async (t) => {
  const sockets = new Set<net.Socket>()
  const silent = net.createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
    s.resume() // reads the request, never answers
  })
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    silent.close()
  })
  const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`
  const child = await startChild(t, tempDir(t), 'branch', url, 'fgk_0123456789abcdef_' + 't'.repeat(43), 'repositories: [acme/app]\nsync: { requestTimeout: 300ms }\n')
  const { status } = syncOf(child)
  await waitFor('a failing status', () => status.has('acme/app') && status.get('acme/app').state === 'failing')
  t.match(status.get('acme/app').error, /GW_ERR_ROOT_TIMEOUT/, 'the reason is the timeout')
})
