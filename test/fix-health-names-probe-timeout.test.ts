// A root that takes connections and never answers: the probe's own deadline (AbortSignal.timeout) ends
// it with a DOMException, whose `code` is the legacy number 23. /health showed `"lastError": 23` (and
// `fedgate status` "last error: 23"); it names the timeout now.
import t from 'tap'
import net from 'node:net'
import { startSite, childYaml, writeSecret, tempDir } from './helpers/sites.ts'
import { healthOf } from './helpers/hub.ts'
import { waitFor } from './helpers/sync.ts'

t.test("a probe that times out is named in /health's root.lastError", async (t) => {
  const held: net.Socket[] = []
  const hanging = net.createServer((s) => held.push(s.on('error', () => {})))
  await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r))
  t.teardown(() => {
    for (const s of held) s.destroy()
    hanging.close()
  })
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_hang_' + 'h'.repeat(30))
  const url = `http://127.0.0.1:${(hanging.address() as net.AddressInfo).port}`
  const site = await startSite(t, childYaml('hang', url, '  health: { interval: 1s, timeout: 200ms }\n'), { dir })
  const root = (await waitFor('a failed probe', async () => {
    const h = (await healthOf(site)) as { root: { lastError?: unknown } }
    return h.root.lastError === undefined ? undefined : h.root
  }))!
  t.type(root.lastError, 'string', 'a text, not a number')
  t.match(root.lastError, /timeout/i, 'it names the timeout')
})
