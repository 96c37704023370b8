// What `fedgate check` says of a site's certificates beyond what the loader refuses (a named file missing,
// not PEM, or with a key not its own: config/load.ts): the site's pair as start will find it (used as it
// is, made, made again, or refused), and every certificate's dates. OpenSSL loads an expired certificate
// without a word and start only logs it (TlsContexts), so check is where a deploy can stop on it.
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { SiteConfig } from '../config/load.ts'
import { certificatePaths, planCertificates } from './certificates.ts'
import { expiresSoon, loadPair, validityProblem } from './pair.ts'

export interface CertificateFindings {
  /** Start would refuse the site, or clients every handshake: `check` exits 2. Each names its option and files. */
  errors: string[]
  /** A certificate start serves as it is expires within RENEW_BEFORE_MS. */
  warnings: string[]
  /** What start will write: a certificate made or made again, what a crash left completed or removed. */
  notes: string[]
}

export function certificateFindings(config: Pick<SiteConfig, 'site' | 'tls'>, now = Date.now()): CertificateFindings {
  const found: CertificateFindings = { errors: [], warnings: [], notes: [] }
  const { tls } = config
  const o = { dir: tls.dir, siteName: config.site.name, hosts: tls.hosts, cert: tls.cert, key: tls.key }
  const paths = certificatePaths(o)
  const plan = planCertificates(o)
  const dated = (option: string, file: string, x: X509Certificate) => {
    const problem = validityProblem(x, file, now)
    const soon = expiresSoon(x, now)
    if (problem) found.errors.push(`${option}: ${problem}`)
    else if (soon) found.warnings.push(`${option}: ${file}: the certificate expires ${soon.expires} (in ${soon.days} days)`)
  }

  if (plan.leftovers === 'complete') found.notes.push(`${paths.cert}: start completes the generation of this pair a crash cut short`)
  if (plan.leftovers === 'discard') found.notes.push(`${paths.cert}: start removes what a crash left of a generation beside it (this certificate is kept)`)
  if (plan.action === 'refuse') found.errors.push(plan.message)
  else if (plan.action === 'make') found.notes.push(plan.again ? `${paths.cert}: made again at start (${plan.again})` : `${paths.cert}: generated at start (clients trust ${paths.ca})`)
  else if (plan.leftovers !== 'complete') {
    // The site's pair has no option of its own when it is at the default paths.
    const option = tls.cert !== undefined ? 'tls.cert' : 'tls'
    try {
      dated(option, paths.cert, loadPair(paths.cert, paths.key).x509)
    } catch (err) {
      found.errors.push(`${option}: ${(err as Error).message}`)
    }
  }
  // The loader has checked each SNI pair (config/load.ts): only their dates are left.
  tls.sni.forEach((s, i) => dated(`tls.sni[${i}].cert`, s.cert, new X509Certificate(readFileSync(s.cert))))
  return found
}
