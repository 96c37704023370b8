// One certificate and its key, read and checked together. Its errors name both files (OpenSSL's own,
// "key values mismatch", names neither: with several SNI pairs the operator could not tell which one)
// and never quote the files' contents.
import { readFileSync } from 'node:fs'
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
