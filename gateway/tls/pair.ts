// One certificate and its key, read and checked together. Its errors name both files (OpenSSL's own,
// "key values mismatch", names neither: with several SNI pairs the operator could not tell which one)
// and never quote the files' contents.
import { readFileSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls'

export interface LoadedPair {
  cert: Buffer
  key: Buffer
  context: SecureContext
}

/** Reads `cert` and `key` and builds their context with `base`; throws an Error naming both files. */
export function loadPair(cert: string, key: string, base: SecureContextOptions = {}): LoadedPair {
  let certPem: Buffer
  let keyPem: Buffer
  try {
    certPem = readFileSync(cert)
    keyPem = readFileSync(key)
  } catch (err) {
    // fs messages name the file and the reason (ENOENT, EACCES), nothing of its content.
    throw new Error(`${cert} with ${key}: ${(err as Error).message}`)
  }
  try {
    return { cert: certPem, key: keyPem, context: createSecureContext({ ...base, cert: certPem, key: keyPem }) }
  } catch (err) {
    const message = (err as Error).message
    const reason = message.includes('key values mismatch') ? 'the key is not this certificate\'s' : `not a usable PEM certificate and key (${message})`
    throw new Error(`${cert} with ${key}: ${reason}`)
  }
}

/**
 * Why `file`'s certificate (the first in it; its chain follows) is not valid now, if it is not. OpenSSL
 * loads an expired or not-yet-valid certificate without a word, and clients then refuse every handshake.
 */
export function validityProblem(certPem: Buffer, file: string, now = Date.now()): string | undefined {
  let x: X509Certificate
  try {
    x = new X509Certificate(certPem)
  } catch {
    return undefined // loadPair already refused what is not a certificate
  }
  if (Date.parse(x.validTo) < now) return `${file}: the certificate expired ${x.validTo}; clients will refuse it`
  if (Date.parse(x.validFrom) > now) return `${file}: the certificate is not valid before ${x.validFrom}; clients will refuse it`
  return undefined
}
