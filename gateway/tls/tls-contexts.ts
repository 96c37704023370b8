// Secure contexts for the HTTPS listener: a default certificate plus SNI ones, rebuilt when their files
// change. Live connections keep the context they were made with, so a reload drops nothing.
import { readFileSync, watchFile, unwatchFile } from 'node:fs'
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls'
import { EventEmitter } from 'node:events'
import type { Logger } from 'pino'

export interface CertPair {
  cert: string
  key: string
}

export interface SniCert extends CertPair {
  hosts: readonly string[]
}

export const TLS_BASE: SecureContextOptions = { minVersion: 'TLSv1.2' }

export class TlsContexts extends EventEmitter<{ reload: []; error: [Error] }> {
  #default!: SecureContextOptions
  #sni = new Map<string, SecureContext>()
  #wildcards: [string, SecureContext][] = []
  #watched: string[] = []

  constructor(
    private readonly main: CertPair,
    private readonly sni: readonly SniCert[],
    private readonly log: Logger,
  ) {
    super()
    this.load()
  }

  /** Options for https.createServer / setSecureContext. */
  get defaultOptions(): SecureContextOptions {
    return this.#default
  }

  /** Reads every file again; throws (and keeps the old contexts) if any is unreadable or invalid. */
  load(): void {
    const def = { ...TLS_BASE, cert: readFileSync(this.main.cert), key: readFileSync(this.main.key) }
    createSecureContext(def) // validates the pair before anything is replaced
    const exact = new Map<string, SecureContext>()
    const wild: [string, SecureContext][] = []
    for (const s of this.sni) {
      const ctx = createSecureContext({ ...TLS_BASE, cert: readFileSync(s.cert), key: readFileSync(s.key) })
      for (const h of s.hosts) {
        if (h.startsWith('*.')) wild.push([h.slice(1).toLowerCase(), ctx])
        else exact.set(h.toLowerCase(), ctx)
      }
    }
    this.#default = def
    this.#sni = exact
    this.#wildcards = wild
  }

  /** SNICallback: exact host, then *.domain, then the default. */
  readonly select = (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void): void => {
    const host = servername.toLowerCase()
    const ctx = this.#sni.get(host) ?? this.#wildcards.find(([suffix]) => host.endsWith(suffix) && host.indexOf('.') === host.length - suffix.length)?.[1]
    cb(null, ctx)
  }

  /** Watch certificate files; `apply` installs the new default context on the server. */
  watch(apply: (opts: SecureContextOptions) => void, intervalMs = 1000): void {
    const files = [this.main.cert, this.main.key, ...this.sni.flatMap((s) => [s.cert, s.key])]
    let pending: NodeJS.Timeout | undefined
    const onChange = () => {
      // cert and key are usually replaced together: wait a moment so both are new.
      clearTimeout(pending)
      pending = setTimeout(() => this.reload(apply), 200)
      pending.unref()
    }
    for (const f of files) {
      watchFile(f, { interval: intervalMs, persistent: false }, onChange)
      this.#watched.push(f)
    }
  }

  reload(apply: (opts: SecureContextOptions) => void): void {
    try {
      this.load()
      apply(this.#default)
      this.log.info('tls certificates reloaded')
      this.emit('reload')
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'tls reload failed; keeping the previous certificates')
      if (this.listenerCount('error') > 0) this.emit('error', err as Error)
    }
  }

  close(): void {
    for (const f of this.#watched) unwatchFile(f)
    this.#watched = []
  }
}
