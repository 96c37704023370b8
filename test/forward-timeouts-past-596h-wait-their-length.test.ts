// forward.timeouts.connect (and headers, body) past Node's longest timer (2^31-1 ms, about 596 h): a timer
// that long in setTimeout fires after 1 ms, which would fail every forwarded request at once. undici keeps
// these deadlines on its own clock, so they wait their length: a root slow to finish its TLS handshake and
// its answer is reached. Pinned here, since each of the site's other long waits once failed so
// (fix-long-durations-wait-their-length, fix-root-probe-long-timeout-waits).
import t from 'tap'
import https from 'node:https'
import net, { type AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureCertificates } from '../gateway/tls/certificates.ts'
import { childYaml, fetchText, startSite, tempDir, writeSecret } from './helpers/sites.ts'

/** Longer than any timer that fired at once (undici's own clock ticks every half second). */
const SLOW_MS = 1500

t.test('a forward with timeouts of 700h reaches a root slow to shake hands and to answer', async (t) => {
  const dir = tempDir(t)
  const pair = ensureCertificates({ dir: join(dir, 'certs'), siteName: 'slow-root', hosts: [] })
  const root = https.createServer({ cert: readFileSync(pair.cert), key: readFileSync(pair.key) }, (_req, res) => {
    setTimeout(() => res.end('ok'), SLOW_MS)
  })
  // The root's TLS handshake starts only after SLOW_MS: the connection is not made before.
  const front = net.createServer((socket) => setTimeout(() => root.emit('connection', socket), SLOW_MS))
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r))
  t.teardown(() => {
    root.closeAllConnections()
    front.close()
  })
  writeSecret(dir, 'root.key', 'fgk_test_' + 'k'.repeat(32))
  const url = `https://127.0.0.1:${(front.address() as AddressInfo).port}`
  const site = await startSite(t, childYaml('patient', url, 'forward:\n  timeouts: { connect: 700h, headers: 700h, body: 700h }\n'), { dir })
  const res = await fetchText(site, '/api/v1/repos/slow/root')
  t.equal(res.status, 200, `forwarded and answered (${res.body.slice(0, 120)})`)
  t.equal(res.body, 'ok')
})
