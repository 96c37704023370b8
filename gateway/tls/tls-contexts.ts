// Secure contexts for the HTTPS listener: a default certificate plus SNI ones, rebuilt when their files
// change. Live connections keep the context they were made with, so a reload drops nothing.
import { watchFile, unwatchFile } from 'node:fs'
import { type SecureContext, type SecureContextOptions } from 'node:tls'
import type { X509Certificate } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import { certificateNames, expiresSoon, loadPair, pairError, readPair, validityProblem } from './pair.ts'

export interface CertPair {
  cert: string
  key: string
}

export interface SniCert extends CertPair {
  hosts: readonly string[]
}

export const TLS_BASE: SecureContextOptions = { minVersion: 'TLSv1.2' }

/** Every file of the site's certificates, read and checked; not yet in use. */
interface Loaded {
  main: SecureContextOptions
  sni: Map<string, SecureContext>
  wildcards: [string, SecureContext][]
  names: HostNames
  invalid: (string | undefined)[]
  /** The certificates that expire within RENEW_BEFORE_MS (as `fedgate check` warns of them). */
  expiring: { file: string; expires: string; days: number }[]
}

export class TlsContexts extends EventEmitter<{ reload: []; error: [Error] }> {
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
  }

  /** The names the site's certificates answer for: the default certificate's own, and the SNI hosts. */
  get names(): HostNames {
    return this.#names
  }

  /**
   * Reads every file and hands the default pair's options to `create` (https.createServer), whose server
   * builds that pair's one secure context; returns the server. Throws (naming the pair's files) if any
   * pair is unreadable or invalid.
   */
  serve<T>(create: (opts: SecureContextOptions) => T): T {
    const next = this.#load()
    const server = this.#applyMain(next, create)
    this.#use(next)
    return server
  }

  /** Reads every pair: an SNI pair's context is built (so checked) here, the default pair only read and parsed. */
  #load(): Loaded {
    // The default pair's context is the server's to build from its options (serve, reload): built here
    // too, to check the pair, it was built twice.
    const main = readPair(this.main.cert, this.main.key)
    const exact = new Map<string, SecureContext>()
    const wild: [string, SecureContext][] = []
    const invalid = [validityProblem(main.x509, this.main.cert)]
    const expiring: Loaded['expiring'] = []
    const dated = (file: string, x: X509Certificate) => {
      const soon = expiresSoon(x)
      if (soon) expiring.push({ file, ...soon })
    }
    dated(this.main.cert, main.x509)
    for (const s of this.sni) {
      const pair = loadPair(s.cert, s.key, TLS_BASE)
      invalid.push(validityProblem(pair.x509, s.cert))
      dated(s.cert, pair.x509)
      const ctx = pair.context
      for (const h of s.hosts) {
        if (h.startsWith('*.')) wild.push([h.slice(1).toLowerCase(), ctx])
        else exact.set(h.toLowerCase(), ctx)
      }
    }
    const names = new HostNames([...certificateNames(main.x509), ...this.sni.flatMap((s) => s.hosts)])
    return { main: { ...TLS_BASE, cert: main.cert, key: main.key }, sni: exact, wildcards: wild, names, invalid, expiring }
  }

  /** `apply` builds the default pair's context; what OpenSSL refuses there is said as loadPair says it. */
  #applyMain<T>(next: Loaded, apply: (opts: SecureContextOptions) => T): T {
    try {
      return apply(next.main)
    } catch (err) {
      throw pairError(this.main.cert, this.main.key, err)
    }
  }

  #use(next: Loaded): void {
    this.#sni = next.sni
    this.#wildcards = next.wildcards
    this.#names = next.names
    // Served all the same (it may be all there is), but said at every start and reload.
    for (const problem of next.invalid) if (problem) this.log.error({ err: problem }, 'tls certificate not valid now')
    for (const soon of next.expiring) this.log.warn(soon, 'tls certificate expires soon')
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

  /**
   * Reads every file again and hands the default pair to `apply` (setSecureContext). Every pair is checked
   * before anything is replaced (the default one by `apply`'s own build): if one is unreadable or invalid,
   * the old contexts stay and the error names its files.
   */
  reload(apply: (opts: SecureContextOptions) => void): void {
    try {
      const next = this.#load()
      this.#applyMain(next, apply)
      this.#use(next)
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

