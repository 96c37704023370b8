import t from 'tap'
import { renameSync, readFileSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { join } from 'node:path'
import { once } from 'node:events'
import { ensureCertificates } from '../gateway/tls/certificates.ts'
import { startSite, tempDir } from './helpers/sites.ts'
import { connectTls, sendRaw } from './helpers/raw-http.ts'

const GET = 'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n'

t.test('replaced certificate files are picked up by new connections; open keep-alive connections keep working', async (t) => {
  const dir = tempDir(t)
  const certs = join(dir, 'certs')
  const site = await startSite(
    t,
    'site: { name: reload, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\nlimits: { keepAliveTimeout: 1m }\n',
    { dir },
  )
  const oldFingerprint = new X509Certificate(readFileSync(join(certs, 'reload.crt'))).fingerprint256

  const kept = await connectTls(t, site.gw.httpsPort, site.ca)
  t.equal(kept.getPeerCertificate().fingerprint256, oldFingerprint, 'the first connection sees the first certificate')
  const first = await sendRaw(kept, GET)
  t.equal(first !== 'closed' && first.status, 200)

  // A second certificate from the same CA, written beside and renamed over the served files.
  const next = ensureCertificates({ dir: certs, siteName: 'reload', hosts: ['renewed.test'], cert: join(certs, 'next.crt'), key: join(certs, 'next.key') })
  const newFingerprint = new X509Certificate(readFileSync(next.cert)).fingerprint256
  t.not(newFingerprint, oldFingerprint)
  const reloaded = once(site.gw.tls, 'reload')
  renameSync(next.key, join(certs, 'reload.key'))
  renameSync(next.cert, join(certs, 'reload.crt'))
  await reloaded

  const fresh = await connectTls(t, site.gw.httpsPort, site.ca)
  t.equal(fresh.getPeerCertificate().fingerprint256, newFingerprint, 'a new connection sees the new certificate')
  t.match(fresh.getPeerCertificate().subjectaltname, /renewed\.test/)
  const viaFresh = await sendRaw(fresh, GET)
  t.equal(viaFresh !== 'closed' && viaFresh.status, 200)

  const second = await sendRaw(kept, GET)
  t.equal(second !== 'closed' && second.status, 200, 'the connection opened before the reload still works')
  t.notOk(kept.destroyed, 'and was not dropped')
  t.match(site.logs.text, /tls certificates reloaded/)
})
