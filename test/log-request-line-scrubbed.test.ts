// The request log line is built by the gateway itself (not by pino's serializer): it must still pass the
// secret scrubber, so a key a client puts in a path never reaches the log.
import t from 'tap'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'

t.test('a site key in a request path is logged as [redacted]', async (t) => {
  const origin = await startOrigin(t)
  const dir = tempDir(t)
  const key = 'fgk_pathleak_' + 'p'.repeat(30)
  writeSecret(dir, 'root.key', key)
  const site = await startSite(t, childYaml('scrub', origin.url, '  health: { interval: 1h }\n'), { dir, clock: t.clock })
  await fetchText(site, `/pkg/${key}/x`)
  const lines = await site.logs.waitFor((l) => l.msg === 'request')
  t.equal(lines.length, 1, 'the request was logged')
  t.equal(lines[0]!.path, '/pkg/[redacted]/x')
  t.notOk(site.logs.text.includes(key), 'the key is in no log line')
})
