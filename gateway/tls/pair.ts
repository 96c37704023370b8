// One certificate and its key, read and checked together. Its errors name both files (OpenSSL's own,
// "key values mismatch", names neither: with several SNI pairs the operator could not tell which one)
// and never quote the files' contents.
import { readFileSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls'

export interface ReadPair {
  cert: Buffer
  key: Buffer
  /** The certificate (the first in the file; its chain follows), parsed once for its names and dates. */
  x509: X509Certificate
}

export interface LoadedPair extends ReadPair {
  context: SecureContext
}

/** Reads `cert` and `key` and builds their context with `base`; throws an Error naming both files. */
export function loadPair(cert: string, key: string, base: SecureContextOptions = {}): LoadedPair {
  const [certPem, keyPem] = readFiles(cert, key)
  try {
    const context = createSecureContext({ ...base, cert: certPem, key: keyPem })
    return { cert: certPem, key: keyPem, context, x509: new X509Certificate(certPem) }
  } catch (err) {
    throw pairError(cert, key, err)
  }
}

/**
 * Reads `cert` and `key` and parses the certificate, building no context: for a pair whose one context the
 * server builds from its options (an error there goes through pairError). Throws an Error naming both files.
 */
export function readPair(cert: string, key: string): ReadPair {
  const [certPem, keyPem] = readFiles(cert, key)
  try {
    return { cert: certPem, key: keyPem, x509: new X509Certificate(certPem) }
  } catch (err) {
    throw pairError(cert, key, err)
  }
}

/** OpenSSL's refusal of the pair `cert` with `key`, said with both files named and nothing of their content. */
export function pairError(cert: string, key: string, err: unknown): Error {
  const message = (err as Error).message
  const reason = message.includes('key values mismatch') ? 'the key is not this certificate\'s' : `not a usable PEM certificate and key (${message})`
  return new Error(`${cert} with ${key}: ${reason}`)
}

function readFiles(cert: string, key: string): [Buffer, Buffer] {
  try {
    return [readFileSync(cert), readFileSync(key)]
  } catch (err) {
    // fs messages name the file and the reason (ENOENT, EACCES), nothing of its content.
    throw new Error(`${cert} with ${key}: ${(err as Error).message}`)
  }
}

/**
 * Why `file`'s certificate `x` is not valid now, if it is not. OpenSSL loads an expired or not-yet-valid
 * certificate without a word, and clients then refuse every handshake.
 */
export function validityProblem(x: X509Certificate, file: string, now = Date.now()): string | undefined {
  if (Date.parse(x.validTo) < now) return `${file}: the certificate expired ${x.validTo}; clients will refuse it`
  if (Date.parse(x.validFrom) > now) return `${file}: the certificate is not valid before ${x.validFrom}; clients will refuse it`
  return undefined
}

/** A certificate this close to its end is said to expire soon (check, start, reload), and a generated one is made again (as ACME clients renew). */
export const RENEW_BEFORE_MS = 30 * 86_400_000

/** When `x`, valid now, ends within RENEW_BEFORE_MS: its end date as the certificate says it, and the whole days left. */
export function expiresSoon(x: X509Certificate, now = Date.now()): { expires: string; days: number } | undefined {
  const left = Date.parse(x.validTo) - now
  return left >= 0 && left < RENEW_BEFORE_MS ? { expires: x.validTo, days: Math.floor(left / 86_400_000) } : undefined
}

/** The DNS names and IP addresses a certificate's subjectAltName lists, as it prints them. */
export function certificateNames(x: X509Certificate): string[] {
  const out: string[] = []
  for (const entry of (x.subjectAltName ?? '').split(', ')) {
    const m = /^(DNS|IP Address):([^"\s,]+)$/.exec(entry)
    if (m) out.push(m[2]!)
  }
  return out
}
