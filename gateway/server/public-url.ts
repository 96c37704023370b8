// The public base URL of a request: what every URL the gateway writes starts with (npm tarball URLs in
// packuments, the plain-HTTP listener's redirect). `site.publicUrl` when set. Otherwise the host the
// client used, but only a name the site answers for (its certificate's names, SNI hosts, `tls.hosts`,
// `site.hosts`): any other Host falls back to https://localhost:<port>, so a forged Host cannot put a
// foreign host into answers, and answers remembered per host (rendered packuments) only ever hold the
// site's own names. X-Forwarded-Host/-Proto are believed only from `site.trustedProxies`.
import type { IncomingMessage } from 'node:http'
import { HostNames } from '../tls/tls-contexts.ts'
import { addressMatcher } from '../util/address-block.ts'

export interface PublicUrlOptions {
  /** site.publicUrl: when set, the base of every request. */
  publicUrl?: URL
  /** The names the site's certificates answer for (read at each request: certificates reload). */
  certificateNames(): HostNames
  /** tls.hosts and site.hosts: further names a Host may name. */
  hosts: readonly string[]
  /** site.trustedProxies: addresses and CIDR blocks whose X-Forwarded-Host/-Proto are believed. */
  trustedProxies: readonly string[]
  /** The HTTPS listener's port, for the redirect (known once it listens). */
  httpsPort(): number
}

/** A Host header's name and port; the name lower-cased, IPv6 in brackets. Anything else is no host. */
const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/

export class PublicUrls {
  readonly #fixed: string | undefined
  readonly #fixedHttps: boolean
  readonly #trusted: ((address: string | undefined) => boolean) | undefined
  readonly #hosts: HostNames

  constructor(private readonly o: PublicUrlOptions) {
    this.#fixed = o.publicUrl?.href.replace(/\/+$/, '')
    this.#fixedHttps = o.publicUrl?.protocol === 'https:'
    this.#trusted = o.trustedProxies.length ? addressMatcher(o.trustedProxies) : undefined
    this.#hosts = new HostNames(o.hosts)
  }

  /** The base URL (no trailing slash) this request's answer writes its URLs under. */
  base(req: IncomingMessage): string {
    if (this.#fixed !== undefined) return this.#fixed
    const socketProto = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'
    const seen = this.#seen(req)
    const proto = seen.proto ?? socketProto
    const host = this.#host(seen.host)
    if (host === undefined) return `${socketProto}://localhost:${req.socket.localPort}`
    const port = host.port === undefined || host.port === (proto === 'https' ? '443' : '80') ? '' : `:${host.port}`
    return `${proto}://${host.name}${port}`
  }

  /** The plain-HTTP listener's 308 target: the same path on HTTPS, under the host the client used. */
  redirect(req: IncomingMessage): string {
    if (this.#fixed !== undefined && this.#fixedHttps) return this.#fixed + (req.url ?? '/')
    const name = this.#host(this.#seen(req).host)?.name ?? 'localhost'
    return `https://${name}:${this.o.httpsPort()}${req.url ?? '/'}`
  }

  /** The host and scheme the client used: the forwarded ones only from a trusted proxy. */
  #seen(req: IncomingMessage): { host: string | undefined; proto?: 'http' | 'https' } {
    if (this.#trusted?.(req.socket.remoteAddress) === true) {
      const host = first(req.headers['x-forwarded-host'])
      const proto = first(req.headers['x-forwarded-proto'])?.toLowerCase()
      return { host: host ?? req.headers.host, proto: proto === 'https' || proto === 'http' ? proto : undefined }
    }
    return { host: req.headers.host }
  }

  /** The host if it is well formed and one the site answers for. */
  #host(header: string | undefined): { name: string; port?: string } | undefined {
    const m = header === undefined ? null : HOST.exec(header.toLowerCase())
    if (!m) return undefined
    let name = m[1]!
    if (name.startsWith('[')) {
      try {
        name = new URL(`https://${name}/`).hostname
      } catch {
        return undefined
      }
    }
    if (m[2] !== undefined && Number(m[2]) > 65535) return undefined
    return this.#hosts.has(name) || this.o.certificateNames().has(name) ? { name, port: m[2] } : undefined
  }
}

/** The first value of a comma-separated header: the one the proxy nearest the client wrote. */
function first(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v
  if (s === undefined) return undefined
  const i = s.indexOf(',')
  const value = (i === -1 ? s : s.slice(0, i)).trim()
  return value === '' ? undefined : value
}
