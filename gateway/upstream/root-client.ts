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
 * all ~140 roots again (about 30 ms of CPU per connect, seen in profiles while the root was down).
 * The CA is added to a context that starts from Node's own root store, as Node's `ca` option does for
 * each certificate it is given: that store copies the roots Node parsed once (1.5 ms), where passing
 * `[...rootCertificates, pem]` as `ca` parsed their ~140 PEM texts again (≈ 37 ms, a sixth of a child's
 * start → first answer). It is also the store Node would use (`--use-openssl-ca`: the system's).
 */
export function trustWithCa(file?: string): SecureContext | undefined {
  if (!file) return undefined
  const pem = readFileSync(file, 'utf8')
  let context = contexts.get(pem)
  if (!context) contexts.set(pem, (context = withRootsAnd(pem)))
  return context
}

/** Node's root store and `pem`; through `ca` if this Node's context has no addCACert (it always had). */
function withRootsAnd(pem: string): SecureContext {
  const context = createSecureContext()
  const native = (context as SecureContext & { context?: { addCACert?: (pem: string) => void } }).context
  if (typeof native?.addCACert !== 'function') return createSecureContext({ ca: [...rootCertificates, pem] })
  native.addCACert(pem)
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
