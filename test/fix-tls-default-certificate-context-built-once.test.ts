// The default certificate's secure context was built twice at every start and reload: once to check the
// pair (loadPair), then again by the HTTPS server from the same files (createServer / setSecureContext).
// The server's build is now the only one, and what it refuses is still said with both files named.
// (Seen failing before the fix: 2 builds at start, 2 at reload.)
import t from 'tap'
import tls from 'node:tls'
import { syncBuiltinESMExports } from 'node:module'
import { readFileSync, renameSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { join } from 'node:path'
import { once } from 'node:events'
import { ensureCertificates } from '../gateway/tls/certificates.ts'
import { startSite, tempDir } from './helpers/sites.ts'
import { connectTls } from './helpers/raw-http.ts'

/** Every key a secure context was built with, in this process (the server's own builds included). */
const built: Buffer[] = []
const original = tls.createSecureContext
tls.createSecureContext = (o) => {
  if (Buffer.isBuffer(o?.key)) built.push(o.key)
  return original(o)
}
syncBuiltinESMExports() // `import { createSecureContext } from 'node:tls'` sees it too
t.teardown(() => {
  tls.createSecureContext = original
  syncBuiltinESMExports()
})
const buildsOf = (keyFile: string) => built.filter((k) => k.equals(readFileSync(keyFile))).length

t.test('a start and a reload each build the default certificate\'s context once', async (t) => {
  const dir = tempDir(t)
  const certs = join(dir, 'certs')
  const site = await startSite(t, 'site: { name: once, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\n', { dir })
  t.equal(buildsOf(join(certs, 'once.key')), 1, 'start: one build')
  const first = await connectTls(t, site.gw.httpsPort, site.ca, '') // no servername: no SNI, the server's default context
  t.ok(first.authorized, 'served to a client that sends no SNI')

  const next = ensureCertificates({ dir: certs, siteName: 'once', hosts: ['next.test'], cert: join(certs, 'next.crt'), key: join(certs, 'next.key') })
  const fingerprint = new X509Certificate(readFileSync(next.cert)).fingerprint256
  const nextKey = readFileSync(next.key)
  const reloaded = once(site.gw.tls, 'reload')
  renameSync(next.key, join(certs, 'once.key'))
  renameSync(next.cert, join(certs, 'once.crt'))
  await reloaded
  t.equal(built.filter((k) => k.equals(nextKey)).length, 1, 'reload: one build')
  const after = await connectTls(t, site.gw.httpsPort, site.ca, 'localhost')
  t.equal(after.getPeerCertificate().fingerprint256, fingerprint, 'the new certificate is served')
  after.destroy()

  // The server's build is the pair's check: a certificate without its key is refused, naming both files.
  const other = ensureCertificates({ dir: certs, siteName: 'once', hosts: [], cert: join(certs, 'other.crt'), key: join(certs, 'other.key') })
  const failed = once(site.gw.tls, 'error')
  renameSync(other.cert, join(certs, 'once.crt'))
  const [err] = (await failed) as [Error]
  t.equal(err.message, `${join(certs, 'once.crt')} with ${join(certs, 'once.key')}: the key is not this certificate's`, 'the refusal names both files')
  const kept = await connectTls(t, site.gw.httpsPort, site.ca, 'localhost')
  t.equal(kept.getPeerCertificate().fingerprint256, fingerprint, 'and the previous certificate is kept')
})
