// The request log remembers the scrubbed form of values it has seen (most paths repeat). A secret loaded
// later (a key created, a token file rotated) must still be scrubbed from the next line about that path.
import t from 'tap'
import { registerSecret } from '../gateway/config/secret.ts'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'

t.test('a path logged before its secret was known is redacted once it is', async (t) => {
  const origin = await startOrigin(t)
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_memo_' + 'm'.repeat(30))
  const site = await startSite(t, childYaml('memo', origin.url, '  health: { interval: 1h }\n'), { dir, clock: t.clock })
  const later = 'fgk_later_' + 'q'.repeat(30)
  await fetchText(site, `/pkg/${later}`)
  const before = await site.logs.waitFor((l) => l.msg === 'request')
  t.equal(before[0]?.path, `/pkg/${later}`, 'not yet a secret: logged as sent')
  registerSecret(later)
  await fetchText(site, `/pkg/${later}`)
  const lines = await site.logs.waitFor((l) => l.msg === 'request', 2)
  t.equal(lines.length, 2)
  t.equal(lines[1]!.path, '/pkg/[redacted]', 'the remembered form was dropped when the secret arrived')
})
