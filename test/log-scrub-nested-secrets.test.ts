// A secret that holds a shorter secret (a token whose text contains another key) is redacted whole, in
// log lines and error bodies, whichever of the two was loaded first.
import t from 'tap'
import { registerSecret } from '../gateway/config/secret.ts'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'

t.test('the longer of two nested secrets is scrubbed whole', async (t) => {
  const origin = await startOrigin(t)
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_nested_' + 'k'.repeat(30))
  const site = await startSite(t, childYaml('nested', origin.url, '  health: { interval: 1h }\n'), { dir, clock: t.clock })
  const inner = 'inner' + 'i'.repeat(20)
  const outer = `AAAA${inner}BBBB`
  registerSecret(inner) // the shorter one first: replaced first, it used to leave the rest of the longer one
  registerSecret(outer)
  await fetchText(site, `/pkg/${outer}`)
  const [line] = await site.logs.waitFor((l) => l.msg === 'request')
  t.equal(line!.path, '/pkg/[redacted]', 'one redaction, nothing of the longer secret around it')
})
