// Verifies a tarball against its packument's `dist.integrity` (the strongest sha512/sha384/sha256 it
// lists) or, for old packages, `dist.shasum` (sha1), while it streams: a mismatch fails the stream
// before it ends, so the blob store never places the bytes.
import { createHash, type Hash } from 'node:crypto'
import { Transform } from 'node:stream'
import { GatewayError } from '../../gateway/errors.ts'

export interface Expected {
  algorithm: 'sha512' | 'sha384' | 'sha256' | 'sha1'
  /** base64 for SRI, hex for shasum. */
  digest: string
  encoding: 'base64' | 'hex'
}

const STRENGTH = ['sha512', 'sha384', 'sha256'] as const

/** What a version's `dist` promises, or undefined when it promises nothing checkable. */
export function expectedDigest(dist: { integrity?: string; shasum?: string }): Expected | undefined {
  const sri = (dist.integrity ?? '').split(/\s+/).map((s) => /^(sha512|sha384|sha256)-([A-Za-z0-9+/=]+)(\?.*)?$/.exec(s)).filter((m) => m !== null)
  for (const algorithm of STRENGTH) {
    const m = sri.find((x) => x[1] === algorithm)
    if (m) return { algorithm, digest: m[2]!, encoding: 'base64' }
  }
  if (dist.shasum && /^[0-9a-f]{40}$/i.test(dist.shasum)) return { algorithm: 'sha1', digest: dist.shasum.toLowerCase(), encoding: 'hex' }
  return undefined
}

/** A pass-through stream that fails with GW_ERR_DIGEST_MISMATCH when the bytes do not match. */
export function verifying(expected: Expected, what: string): Transform {
  const hash: Hash = createHash(expected.algorithm)
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk)
      cb(null, chunk)
    },
    flush(cb) {
      const got = hash.digest(expected.encoding)
      if (got === expected.digest) return cb()
      cb(new GatewayError('GW_ERR_DIGEST_MISMATCH', `${what}: expected ${expected.algorithm} ${expected.digest}, got ${got}`))
    },
  })
}
