// A local CA and server certificates made with node-forge, for sites that bring none.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { isIP } from 'node:net'
import { randomBytes, X509Certificate } from 'node:crypto'
import { createRequire } from 'node:module'
import type Forge from 'node-forge'
import type { Logger } from 'pino'
import type { SiteConfig } from '../config/load.ts'
import { certificateNames, loadPair } from './pair.ts'

// node-forge is loaded only to make a certificate: a site whose files exist never pays for it (~10 MB, ~100 ms).
let forgeModule: typeof Forge | undefined
const loadForge = (): typeof Forge => (forgeModule ??= createRequire(import.meta.url)('node-forge') as typeof Forge)

export interface CertificateFiles {
  cert: string
  key: string
  ca: string
  caKey: string
}

export interface EnsureOptions {
  dir: string
  siteName: string
  hosts: readonly string[]
  cert?: string
  key?: string
}

export interface EnsureResult extends CertificateFiles {
  /** Which files were written by this call (empty when all were there). */
  created: string[]
  /** Why an existing generated certificate was made again (new hosts, expiry), when it was. */
  renewed?: string
}

export function certificatePaths(o: EnsureOptions): CertificateFiles {
  return {
    cert: o.cert ?? join(o.dir, `${o.siteName}.crt`),
    key: o.key ?? join(o.dir, `${o.siteName}.key`),
    ca: join(o.dir, 'ca.crt'),
    caKey: join(o.dir, 'ca.key'),
  }
}

/**
 * The explicitly named certificate file that is missing, if any. A site's certificate is generated only at
 * its default paths under `dir`: a missing tls.cert or tls.key elsewhere is a mistake (a typo, a volume
 * not mounted), never a reason to write and serve a new self-signed certificate there.
 */
export function missingCertificateFile(o: EnsureOptions): { option: 'cert' | 'key'; path: string } | undefined {
  const defaults = certificatePaths({ ...o, cert: undefined, key: undefined })
  for (const option of ['cert', 'key'] as const) {
    const path = o[option]
    if (path !== undefined && resolve(path) !== resolve(defaults[option]) && !existsSync(path)) return { option, path }
  }
  return undefined
}

/**
 * The first configured certificate (tls.cert/key, tls.sni[]) that cannot serve: missing, not PEM, or a key
 * that is not the certificate's. `fedgate check` names it; `start` would fail only later, on OpenSSL's words.
 * The default pair is left to missingCertificateFile (it may be absent: generated at start).
 */
export function unusableCertificate(o: { cert?: string; key?: string; sni: readonly { cert: string; key: string }[] }): { path: (string | number)[]; message: string } | undefined {
  const pairs: { path: (string | number)[]; cert: string; key: string }[] = []
  if (o.cert !== undefined && o.key !== undefined && existsSync(o.cert) && existsSync(o.key)) pairs.push({ path: ['tls', 'cert'], cert: o.cert, key: o.key })
  o.sni.forEach((s, i) => pairs.push({ path: ['tls', 'sni', i, 'cert'], cert: s.cert, key: s.key }))
  for (const p of pairs) {
    for (const which of ['cert', 'key'] as const) {
      if (!existsSync(p[which])) return { path: [...p.path.slice(0, -1), which], message: `${p[which]} does not exist` }
    }
    try {
      loadPair(p.cert, p.key)
    } catch (err) {
      return { path: p.path, message: (err as Error).message }
    }
  }
  return undefined
}

/**
 * Creates the local CA (once per folder) and the site's certificate when its files are absent. Sites reach
 * this only after the loader refused explicit paths that are missing (missingCertificateFile).
 */
export function ensureCertificates(o: EnsureOptions): EnsureResult {
  const paths = certificatePaths(o)
  const created: string[] = []
  const names = ['localhost', '127.0.0.1', '::1', ...o.hosts]
  let renewed: string | undefined
  if (existsSync(paths.cert) && existsSync(paths.key)) {
    const defaults = certificatePaths({ ...o, cert: undefined, key: undefined })
    const atDefaults = resolve(paths.cert) === resolve(defaults.cert) && resolve(paths.key) === resolve(defaults.key)
    renewed = atDefaults ? staleGenerated(paths, names) : undefined
    if (!renewed) return { ...paths, created }
  }
  if (existsSync(paths.cert) !== existsSync(paths.key)) {
    throw new Error(`tls: only one of ${paths.cert} and ${paths.key} exists; remove it or provide both`)
  }
  const forge = loadForge()
  let ca: { cert: Forge.pki.Certificate; key: Forge.pki.rsa.PrivateKey }
  if (existsSync(paths.ca) && existsSync(paths.caKey)) {
    ca = { cert: forge.pki.certificateFromPem(readFileSync(paths.ca, 'utf8')), key: forge.pki.privateKeyFromPem(readFileSync(paths.caKey, 'utf8')) }
  } else {
    ca = makeCa(`fedgate local CA (${o.siteName})`)
    writeAtomic(paths.caKey, forge.pki.privateKeyToPem(ca.key), 0o600)
    writeAtomic(paths.ca, forge.pki.certificateToPem(ca.cert), 0o644)
    created.push(paths.ca, paths.caKey)
  }
  const server = makeServerCert(ca, o.siteName, names)
  writeAtomic(paths.key, forge.pki.privateKeyToPem(server.key), 0o600)
  writeAtomic(paths.cert, forge.pki.certificateToPem(server.cert) + forge.pki.certificateToPem(ca.cert), 0o644)
  created.push(paths.cert, paths.key)
  return { ...paths, created, ...(renewed && { renewed }) }
}

/**
 * ensureCertificates for a site's `tls` section; with `log`, says what it made (a start, or a workers'
 * primary before it forks, so that workers do not race to make the same files).
 */
export function ensureSiteCertificates(config: Pick<SiteConfig, 'site' | 'tls'>, log?: Logger): EnsureResult {
  const { tls } = config
  const r = ensureCertificates({ dir: tls.dir, siteName: config.site.name, hosts: tls.hosts, cert: tls.cert, key: tls.key })
  if (log && r.created.length) log.info({ files: r.created, ...(r.renewed && { renewed: r.renewed }) }, 'generated TLS certificates (local CA: trust ca.crt in clients)')
  return r
}

/** A generated certificate is made again this long before it expires (as ACME clients renew). */
const RENEW_BEFORE_MS = 30 * 86_400_000

/**
 * Why the site's certificate must be made again, if it is one fedgate generated: it lacks a name the site
 * now has (tls.hosts changed since), or it expires soon or has (397 days). Only a certificate the local CA
 * in `dir` issued, at its default path (the caller checks), is ever replaced: an operator's own one is left as it is.
 */
function staleGenerated(paths: CertificateFiles, names: readonly string[]): string | undefined {
  if (!existsSync(paths.ca) || !existsSync(paths.caKey)) return undefined
  let cert: X509Certificate
  try {
    cert = new X509Certificate(readFileSync(paths.cert))
    const ca = new X509Certificate(readFileSync(paths.ca))
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return undefined
  } catch {
    return undefined // not ours to judge: loading it reports what is wrong
  }
  // IP addresses through checkIP: the certificate prints an IPv6 one in its own long form.
  const named = new Set(certificateNames(cert).map((n) => n.toLowerCase()))
  const missing = names.filter((n) => (isIP(n) ? cert.checkIP(n) === undefined : !named.has(n.toLowerCase())))
  if (missing.length) return `it does not name ${missing.join(', ')}`
  const now = Date.now()
  if (Date.parse(cert.validFrom) > now) return `it is not valid before ${cert.validFrom}`
  if (Date.parse(cert.validTo) - now < RENEW_BEFORE_MS) return `it expires ${cert.validTo}`
  return undefined
}

function keyPair(): Forge.pki.rsa.KeyPair {
  const forge = loadForge()
  // forge uses node's native generator when it is there, so this takes milliseconds, not seconds.
  return forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 })
}

function serial(): string {
  return serialNumber(randomBytes(16))
}

/**
 * A certificate serial number (hex) from 16 random bytes, whose DER INTEGER OpenSSL accepts: positive
 * (a high bit set would make it negative) and minimal (a leading zero byte, left by clearing that bit
 * alone in one certificate of 128, is "illegal padding" to OpenSSL 3: the site could not load it).
 */
export function serialNumber(random: Buffer): string {
  const b = Buffer.from(random)
  b[0] = 0x40 | (b[0]! & 0x3f)
  return b.toString('hex')
}

function makeCa(commonName: string): { cert: Forge.pki.Certificate; key: Forge.pki.rsa.PrivateKey } {
  const forge = loadForge()
  const keys = keyPair()
  const cert = forge.pki.createCertificate()
  cert.publicKey = keys.publicKey
  cert.serialNumber = serial()
  cert.validity.notBefore = new Date(Date.now() - 60_000)
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 86_400_000)
  const attrs = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'fedgate' }]
  cert.setSubject(attrs)
  cert.setIssuer(attrs)
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ])
  cert.sign(keys.privateKey, forge.md.sha256.create())
  return { cert, key: keys.privateKey }
}

function makeServerCert(
  ca: { cert: Forge.pki.Certificate; key: Forge.pki.rsa.PrivateKey },
  commonName: string,
  hosts: readonly string[],
): { cert: Forge.pki.Certificate; key: Forge.pki.rsa.PrivateKey } {
  const forge = loadForge()
  const keys = keyPair()
  const cert = forge.pki.createCertificate()
  cert.publicKey = keys.publicKey
  cert.serialNumber = serial()
  cert.validity.notBefore = new Date(Date.now() - 60_000)
  // Under 398 days: browsers refuse longer-lived server certificates.
  cert.validity.notAfter = new Date(Date.now() + 397 * 86_400_000)
  cert.setSubject([{ name: 'commonName', value: commonName }])
  cert.setIssuer(ca.cert.subject.attributes)
  const altNames = [...new Set(hosts)].map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h }))
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ])
  cert.sign(ca.key, forge.md.sha256.create())
  return { cert, key: keys.privateKey }
}

/** temp + fsync-free rename: a reader never sees half a PEM file. Keys get mode 0600 from the start. */
export function writeAtomic(file: string, content: string, mode: number): void {
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  writeFileSync(tmp, content, { mode })
  chmodSync(tmp, mode)
  renameSync(tmp, file)
}
