// A keep-alive connection pool to the root's origin. Each user of the root has its own (probes, sync,
// forwarding, npm's proxied packuments), so none can take the connections another needs.
import { readFileSync } from 'node:fs'
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls'
import { Pool } from 'undici'
import type { Secret } from '../config/secret.ts'

export interface RootClientOptions {
  url: URL
  ca?: string
  key?: Secret
  keyHeader: 'authorization' | 'x-apikey'
  connectTimeout: number
  headersTimeout: number
  /** Idle gap allowed inside a body; 0 disables (large blobs on slow links). */
  bodyTimeout?: number
  connections?: number
}

export interface RootClient {
  readonly origin: string
  /** Base path of the root URL (without trailing slash), prefixed to every upstream path. */
  readonly basePath: string
  readonly pool: Pool
  /** The header that carries the site's key, to add only on requests to this origin. */
  keyHeaders(): Record<string, string>
  /** The site's key itself (absent without one), for masking it where the root echoes it back. */
  siteKey(): string | undefined
  close(): Promise<void>
}

/** Contexts built so far, by the CA's PEM text: a child's start makes four or five clients of one root. */
const contexts = new Map<string, SecureContext>()

/**
 * The public roots plus the site's own CA, built once per CA: given as `ca`, every new connection parsed
 * all ~140 roots again (about 30 ms of CPU per connect, seen in profiles while the root was down), and
 * each context parses them once (≈ 16 ms; half a child's start-up CPU went there with one per client).
 */
export function trustWithCa(file?: string): SecureContext | undefined {
  if (!file) return undefined
  const pem = readFileSync(file, 'utf8')
  let context = contexts.get(pem)
  if (!context) contexts.set(pem, (context = createSecureContext({ ca: [...rootCertificates, pem] })))
  return context
}

export function createRootClient(o: RootClientOptions): RootClient {
  const origin = o.url.origin
  const pool = new Pool(origin, {
    connections: o.connections ?? 256,
    pipelining: 1,
    keepAliveTimeout: 4_000,
    connectTimeout: o.connectTimeout,
    headersTimeout: o.headersTimeout,
    bodyTimeout: o.bodyTimeout ?? 0,
    connect: { secureContext: trustWithCa(o.ca), rejectUnauthorized: true },
  })
  const basePath = o.url.pathname.replace(/\/+$/, '')
  return {
    origin,
    basePath,
    pool,
    keyHeaders(): Record<string, string> {
      if (!o.key) return {}
      return o.keyHeader === 'authorization' ? { authorization: `Bearer ${o.key.reveal()}` } : { 'x-apikey': o.key.reveal() }
    },
    siteKey: () => o.key?.reveal(),
    close: () => pool.close(),
  }
}
