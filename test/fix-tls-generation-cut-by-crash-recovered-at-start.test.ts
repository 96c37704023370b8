// A crash between writing a generated key and its certificate left one file of the pair (or a new key
// beside the old certificate), and every later start refused the site ("only one of … exists", or
// the key is not the certificate's). Both files are now written in full beside their place
// (`<file>.pending`, synced) before either is renamed into it; a start finds what a crash left and
// completes the pair, or throws the leftovers away and makes the pair again. Files fedgate did not
// generate (an operator's own certificate at the default path) are never replaced.
import t from 'tap'
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { join } from 'node:path'
import { ensureCertificates } from '../gateway/tls/certificates.ts'
import { startSite, tempDir, type TestLike, type TestSite } from './helpers/sites.ts'
import { connectTls } from './helpers/raw-http.ts'

const yaml = 'site: { name: cut, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\n'
const fingerprint = (file: string) => new X509Certificate(readFileSync(file)).fingerprint256
const leftovers = (certs: string) => readdirSync(certs).filter((f) => f.endsWith('.pending'))

// Made once (a key takes a while): a local CA and two pairs it issued, and an operator's own pair.
const made = tempDir(t)
const issued = (name: string) => ensureCertificates({ dir: made, siteName: 'cut', hosts: [], cert: join(made, `${name}.crt`), key: join(made, `${name}.key`) })
const first = issued('first')
const second = issued('second')
const own = ensureCertificates({ dir: join(made, 'own'), siteName: 'own', hosts: [] })

/** A site's certs folder holding the local CA, and `files` copied in (to the names given). */
function certsWith(dir: string, files: Record<string, string>): string {
  const certs = join(dir, 'certs')
  mkdirSync(certs)
  for (const f of ['ca.crt', 'ca.key']) copyFileSync(join(made, f), join(certs, f))
  for (const [name, from] of Object.entries(files)) copyFileSync(from, join(certs, name))
  return certs
}

/** The fingerprint of the certificate the site serves, if it verifies with the site's CA. */
async function served(t: TestLike, site: TestSite): Promise<string | undefined> {
  const s = await connectTls(t, site.gw.httpsPort, site.ca)
  const f = s.authorized ? s.getPeerCertificate().fingerprint256 : undefined
  s.destroy()
  return f
}

t.test('cut between the key and the certificate of a first generation: completed', async (t) => {
  const dir = tempDir(t)
  // The key had reached its place, the certificate had not.
  const certs = certsWith(dir, { 'cut.key': first.key, 'cut.crt.pending': first.cert })
  const expected = fingerprint(first.cert)
  const site = await startSite(t, yaml, { dir })
  t.equal(await served(t, site), expected, 'the pair the crash cut short is served')
  t.same(leftovers(certs), [], 'nothing pending is left')
  t.match(site.logs.text, /completed a certificate generation a crash cut short/, 'the log says so')
})

t.test('cut between the key and the certificate of a renewal: completed', async (t) => {
  const dir = tempDir(t)
  // The old pair was in place (valid, from the local CA); the new key had replaced its key.
  const certs = certsWith(dir, { 'cut.crt': first.cert, 'cut.key': second.key, 'cut.crt.pending': second.cert })
  const expected = fingerprint(second.cert)
  const site = await startSite(t, yaml, { dir })
  t.equal(await served(t, site), expected, 'the new pair is served')
  t.same(leftovers(certs), [], 'nothing pending is left')
})

t.test('cut while the pending files were written: thrown away, the pair made again', async (t) => {
  const dir = tempDir(t)
  const certs = certsWith(dir, {})
  writeFileSync(join(certs, 'cut.key.pending'), readFileSync(first.key, 'utf8').slice(0, 300), { mode: 0o600 }) // half a key, no certificate
  const site = await startSite(t, yaml, { dir })
  t.ok(await served(t, site), 'a pair is served')
  t.same(leftovers(certs), [], 'nothing pending is left')
  t.equal(statSync(join(certs, 'cut.key')).mode & 0o777, 0o600, 'the new key is private')
  t.notMatch(site.logs.text, /PRIVATE KEY/, 'no key material in the log')
})

t.test('leftovers beside an operator\'s own certificate: thrown away, the operator\'s files kept', async (t) => {
  const dir = tempDir(t)
  const certs = certsWith(dir, { 'cut.crt': own.cert, 'cut.key': own.key, 'cut.crt.pending': first.cert, 'cut.key.pending': first.key })
  const site = await startSite(t, yaml, { dir })
  const s = await connectTls(t, site.gw.httpsPort, readFileSync(own.ca, 'utf8'))
  t.equal(s.getPeerCertificate().fingerprint256, fingerprint(own.cert), 'the operator\'s certificate is served')
  t.same(readFileSync(join(certs, 'cut.key')), readFileSync(own.key), 'its key is untouched')
  t.notOk(existsSync(join(certs, 'cut.crt.pending')) || existsSync(join(certs, 'cut.key.pending')), 'the leftovers are gone')
})
