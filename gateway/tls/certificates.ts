// A local CA and server certificates made with node-forge, for sites that bring none.
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { isIP } from 'node:net'
import { randomBytes, X509Certificate } from 'node:crypto'
import { createRequire } from 'node:module'
import type Forge from 'node-forge'
import type { Logger } from 'pino'
import type { SiteConfig } from '../config/load.ts'
import { certificateNames, loadPair, RENEW_BEFORE_MS } from './pair.ts'
import { dropPending, pairOncePlaced, pendingFiles, placePending, writePair } from './durable-pair.ts'
import { withGenerationLock } from './generation-lock.ts'

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
  /** How long a generation waits for another process's in the same dir (GENERATION_LOCK_WAIT_MS; tests shorten it). */
  lockWaitMs?: number
}

export interface EnsureResult extends CertificateFiles {
  /** Which files were written by this call (empty when all were there). */
  created: string[]
  /** Why an existing generated certificate was made again (new hosts, expiry), when it was. */
  renewed?: string
  /** What became of the files a generation cut short by a crash left (Leftovers), and which they were. */
  leftovers?: { outcome: Leftovers; files: string[] }
}

/**
 * What a start does with the files a generation cut short by a crash left at the default paths: puts them
 * in place (`complete`: they are a whole pair from the local CA), throws them away and makes the pair
 * `again`, or throws them away and leaves the files in place alone (`discard`: an operator's own
 * certificate is there now).
 */
export type Leftovers = 'complete' | 'again' | 'discard'

/** What a start does with the site's certificate files: ensureCertificates does it, `fedgate check` says it. */
export type CertificatePlan = { leftovers?: Leftovers } & (
  | { action: 'use' }
  /** `again`: why a certificate fedgate generated is replaced (absent when there was none). */
  | { action: 'make'; again?: string }
  | { action: 'refuse'; message: string }
)

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

/** What ensureCertificates would do now, writing nothing. */
export function planCertificates(o: EnsureOptions): CertificatePlan {
  const paths = certificatePaths(o)
  const defaults = certificatePaths({ ...o, cert: undefined, key: undefined })
  // Only at the default paths: fedgate generates nowhere else for a site (missingCertificateFile).
  const atDefaults = resolve(paths.cert) === resolve(defaults.cert) && resolve(paths.key) === resolve(defaults.key)
  const leftovers = atDefaults ? leftoversOf(paths) : undefined
  if (leftovers === 'again') return { leftovers, action: 'make', again: 'a generation cut short by a crash was thrown away' }
  const files = leftovers === 'complete' ? { ...paths, ...pairOncePlaced(paths) } : paths
  const plan = ((): CertificatePlan => {
    if (existsSync(files.cert) && existsSync(files.key)) {
      const again = atDefaults ? staleGenerated(files, serverNames(o)) : undefined
      return again ? { action: 'make', again } : { action: 'use' }
    }
    if (existsSync(files.cert) !== existsSync(files.key)) return { action: 'refuse', message: `tls: only one of ${paths.cert} and ${paths.key} exists; remove it or provide both` }
    return { action: 'make' }
  })()
  return leftovers ? { ...plan, leftovers } : plan
}

/**
 * Creates the local CA (once per folder) and the site's certificate when its files are absent, and makes a
 * generated one again when it is stale (staleGenerated) or a crash cut its generation short. Sites reach
 * this only after the loader refused explicit paths that are missing (missingCertificateFile).
 */
export function ensureCertificates(o: EnsureOptions): EnsureResult {
  const plan = planCertificates(o)
  // Files to use as they are need no lock (the dir may be read-only). Anything to write is planned again
  // under the dir's lock: what looked like a crash's leftovers may have been another process's generation.
  if (!plan.leftovers && plan.action !== 'make') return carryOut(o, plan)
  return withGenerationLock(o.dir, () => carryOut(o, planCertificates(o)), o.lockWaitMs)
}

/** Does what `plan` says (with the dir's lock held when it writes anything). */
function carryOut(o: EnsureOptions, plan: CertificatePlan): EnsureResult {
  const paths = certificatePaths(o)
  const created: string[] = []
  const leftovers = plan.leftovers && { outcome: plan.leftovers, files: pendingFiles(paths) }
  if (plan.leftovers === 'complete') placePending(paths)
  else if (plan.leftovers) dropPending(paths)
  if (plan.action === 'refuse') throw new Error(plan.message)
  if (plan.action === 'use') return { ...paths, created, ...(leftovers && { leftovers }) }
  const forge = loadForge()
  let ca: { cert: Forge.pki.Certificate; key: Forge.pki.rsa.PrivateKey }
  if (existsSync(paths.ca) && existsSync(paths.caKey)) {
    ca = { cert: forge.pki.certificateFromPem(readFileSync(paths.ca, 'utf8')), key: forge.pki.privateKeyFromPem(readFileSync(paths.caKey, 'utf8')) }
  } else {
    ca = makeCa(`fedgate local CA (${o.siteName})`)
    writePair({ cert: paths.ca, key: paths.caKey }, { cert: forge.pki.certificateToPem(ca.cert), key: forge.pki.privateKeyToPem(ca.key) })
    created.push(paths.ca, paths.caKey)
  }
  const server = makeServerCert(ca, o.siteName, serverNames(o))
  writePair(paths, { cert: forge.pki.certificateToPem(server.cert) + forge.pki.certificateToPem(ca.cert), key: forge.pki.privateKeyToPem(server.key) })
  created.push(paths.cert, paths.key)
  return { ...paths, created, ...(plan.again && { renewed: plan.again }), ...(leftovers && { leftovers }) }
}

/** The names a generated certificate carries. */
const serverNames = (o: EnsureOptions): string[] => ['localhost', '127.0.0.1', '::1', ...o.hosts]

/**
 * What becomes of the pending files a generation at the default paths left, if it left any (Leftovers).
 * They are completed only into a pair the local CA issued, over nothing or over a certificate it issued too.
 */
function leftoversOf(paths: CertificateFiles): Leftovers | undefined {
  if (pendingFiles(paths).length === 0) return undefined
  if (existsSync(paths.cert) && !generatedHere(paths, paths.cert)) return 'discard'
  const placed = pairOncePlaced(paths)
  if (!existsSync(placed.cert) || !existsSync(placed.key) || !generatedHere(paths, placed.cert)) return 'again'
  try {
    loadPair(placed.cert, placed.key)
    return 'complete'
  } catch {
    return 'again' // a partial file, or a key not the certificate's
  }
}

/**
 * ensureCertificates for a site's `tls` section; with `log`, says what it made (a start, or a workers'
 * primary before it forks, so that workers do not race to make the same files).
 */
export function ensureSiteCertificates(config: Pick<SiteConfig, 'site' | 'tls'>, log?: Logger): EnsureResult {
  const { tls } = config
  const r = ensureCertificates({ dir: tls.dir, siteName: config.site.name, hosts: tls.hosts, cert: tls.cert, key: tls.key })
  if (log && r.leftovers?.outcome === 'complete') log.warn({ files: [r.cert, r.key] }, 'completed a certificate generation a crash cut short')
  if (log && r.leftovers?.outcome === 'discard') log.warn({ removed: r.leftovers.files, kept: [r.cert, r.key] }, 'removed what a certificate generation cut short by a crash left: the certificate in place is not one fedgate generated')
  if (log && r.created.length) log.info({ files: r.created, ...(r.renewed && { renewed: r.renewed }) }, 'generated TLS certificates (local CA: trust ca.crt in clients)')
  return r
}

/**
 * Why the site's certificate must be made again, if it is one fedgate generated: it lacks a name the site
 * now has (tls.hosts changed since), or it expires soon or has (397 days). Only a certificate the local CA
 * in `dir` issued, at its default path (the caller checks), is ever replaced: an operator's own one is left as it is.
 */
function staleGenerated(paths: CertificateFiles, names: readonly string[]): string | undefined {
  const cert = generatedHere(paths, paths.cert)
  if (!cert) return undefined
  // IP addresses through checkIP: the certificate prints an IPv6 one in its own long form.
  const named = new Set(certificateNames(cert).map((n) => n.toLowerCase()))
  const missing = names.filter((n) => (isIP(n) ? cert.checkIP(n) === undefined : !named.has(n.toLowerCase())))
  if (missing.length) return `it does not name ${missing.join(', ')}`
  const now = Date.now()
  if (Date.parse(cert.validFrom) > now) return `it is not valid before ${cert.validFrom}`
  if (Date.parse(cert.validTo) - now < RENEW_BEFORE_MS) return `it expires ${cert.validTo}`
  return undefined
}

/** The certificate in `file`, if the local CA in `paths` issued it: fedgate's to replace, where an operator's is not. */
function generatedHere(paths: CertificateFiles, file: string): X509Certificate | undefined {
  if (!existsSync(paths.ca) || !existsSync(paths.caKey)) return undefined
  try {
    const cert = new X509Certificate(readFileSync(file))
    const ca = new X509Certificate(readFileSync(paths.ca))
    return cert.checkIssued(ca) && cert.verify(ca.publicKey) ? cert : undefined
  } catch {
    return undefined // not ours to judge: loading it reports what is wrong
  }
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
