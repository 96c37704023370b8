// Secure contexts for the HTTPS listener: a default certificate plus SNI ones, rebuilt when their files
// change. Live connections keep the context they were made with, so a reload drops nothing.
import { watchFile, unwatchFile } from 'node:fs'
import { type SecureContext, type SecureContextOptions } from 'node:tls'
import { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import { certificateNames, loadPair, validityProblem } from './pair.ts'

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
  #names: HostNames = new HostNames([])
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

  /** The names the site's certificates answer for: the default certificate's own, and the SNI hosts. */
  get names(): HostNames {
    return this.#names
  }

  /** Reads every file again; throws (and keeps the old contexts) if any is unreadable or invalid. */
  load(): void {
    // Every pair is validated before anything is replaced; an error names the pair's files.
    const main = loadPair(this.main.cert, this.main.key, TLS_BASE)
    const def = { ...TLS_BASE, cert: main.cert, key: main.key }
    const names = new HostNames([...certificateNames(main.x509), ...this.sni.flatMap((s) => s.hosts)])
    const exact = new Map<string, SecureContext>()
    const wild: [string, SecureContext][] = []
    const invalid = [validityProblem(main.x509, this.main.cert)]
    for (const s of this.sni) {
      const pair = loadPair(s.cert, s.key, TLS_BASE)
      invalid.push(validityProblem(pair.x509, s.cert))
      const ctx = pair.context
      for (const h of s.hosts) {
        if (h.startsWith('*.')) wild.push([h.slice(1).toLowerCase(), ctx])
        else exact.set(h.toLowerCase(), ctx)
      }
    }
    this.#default = def
    this.#sni = exact
    this.#wildcards = wild
    this.#names = names
    // Served all the same (it may be all there is), but said at every start and reload.
    for (const problem of invalid) if (problem) this.log.error({ err: problem }, 'tls certificate not valid now')
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

/**
 * A set of host names as the Host header spells them (lower case, IPv6 in brackets), exact or `*.domain`
 * (one label, as in certificates).
 */
export class HostNames {
  readonly #exact = new Set<string>()
  readonly #suffixes: string[] = []
  constructor(names: Iterable<string>) {
    for (const n of names) {
      if (n.startsWith('*.')) this.#suffixes.push(n.slice(1).toLowerCase())
      else this.#exact.add(hostForm(n))
    }
  }
  /** `host` as it comes out of a Host header: lower-cased by the caller, IPv6 in brackets. */
  has(host: string): boolean {
    if (this.#exact.has(host)) return true
    for (const suffix of this.#suffixes) if (host.endsWith(suffix) && host.indexOf('.') === host.length - suffix.length) return true
    return false
  }
}

/** A name as a URL's host writes it: lower case, IPv6 compressed and in brackets. */
function hostForm(name: string): string {
  const n = name.toLowerCase()
  if (!n.includes(':')) return n
  try {
    return new URL(`https://${n.startsWith('[') ? n : `[${n}]`}/`).hostname
  } catch {
    return n
  }
}

