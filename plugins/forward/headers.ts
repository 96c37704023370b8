// Which headers cross the gateway, each way. The site's key is added here and nowhere else.
import type { IncomingHttpHeaders } from 'node:http'
import { util } from 'undici'
import { REDACTED, scrubSecrets } from '../../gateway/config/secret.ts'
import { withoutOwnCookies } from '../../gateway/server/own-cookies.ts'

// RFC 9110 §7.6.1 hop-by-hop fields, plus ones undici refuses to send itself.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'host', 'http2-settings'])
/**
 * Never sent with the site's key: the client's own credentials, and the headers some frameworks take to
 * rewrite a request's method or URL (a GET read carrying `X-HTTP-Method-Override: DELETE` or
 * `X-Original-URL: /admin` would act with the site's key beyond a read of the path routed here).
 */
const NOT_WITH_SITE_KEY = new Set(['authorization', 'x-apikey', 'x-http-method-override', 'x-http-method', 'x-method-override', 'x-original-method', 'x-original-url', 'x-rewrite-url'])
const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded', 'x-real-ip'])

export interface OutgoingOptions {
  /** Reads carry the site's key; writes carry the client's own credentials instead. */
  siteKey: Record<string, string> | undefined
  passCookies: boolean
  remoteAddress: string
  secure: boolean
}

export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, o: OutgoingOptions): Record<string, string | string[]> {
  const named = connectionTokens(incoming.connection)
  const out: Record<string, string | string[]> = {}
  for (const name in incoming) {
    const value = incoming[name]
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name) || FORWARDED.has(name)) continue
    if (o.siteKey && NOT_WITH_SITE_KEY.has(name)) continue
    if (name === 'cookie') {
      // The gateway's own (the admin session, sent to every path) never leave; the client's pass on writes.
      const cookie = o.siteKey && !o.passCookies ? undefined : withoutOwnCookies(value as string)
      if (cookie !== undefined) out.cookie = cookie
      continue
    }
    out[name] = value
  }
  // The client's own X-Forwarded-* are not trusted: the gateway states what it saw.
  out['x-forwarded-for'] = o.remoteAddress
  out['x-forwarded-proto'] = o.secure ? 'https' : 'http'
  if (incoming.host) out['x-forwarded-host'] = incoming.host
  if (o.siteKey) Object.assign(out, o.siteKey)
  return out
}

/**
 * @param siteKeyRead the request carried the site's key instead of the client's credentials: a cookie the
 *   root sets then belongs to the site's identity (a session for its key), never to this client.
 */
export function clientResponseHeaders(upstream: Record<string, string | string[] | undefined>, siteKeyRead: boolean): Record<string, string | string[]> {
  const named = connectionTokens(upstream.connection)
  const out: Record<string, string | string[]> = {}
  for (const name in upstream) {
    const value = upstream[name]
    if (value !== undefined && toClient(name, named, siteKeyRead)) out[name] = siteKeyRead ? scrubValue(value) : value
  }
  return out
}

/**
 * The same policy over the root's raw head (undici's name and value Buffers), as the flat list
 * `writeHead` takes: no object per answer, twice over, on the forward path. Values stay byte for byte
 * (latin1 both ways), where decoding them as UTF-8 would turn a non-ASCII one into characters
 * `writeHead` refuses. `dropLength`: a 204's Content-Length, which it may not carry (RFC 9110 §8.6).
 */
export function clientResponseHead(raw: readonly Buffer[], siteKeyRead: boolean, dropLength: boolean, siteKey?: string): string[] {
  const out: string[] = []
  let connection: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = util.headerNameToString(raw[i]!)
    if (name === 'connection') connection = connection === undefined ? raw[i + 1]!.toString('latin1') : `${connection},${raw[i + 1]!.toString('latin1')}`
    else if (toClient(name, NO_TOKENS, siteKeyRead) && !(dropLength && name === 'content-length')) out.push(name, withoutKey(raw[i + 1]!.toString('latin1'), siteKey))
  }
  // Rarely does a root's Connection name other fields: only then is the list walked again.
  const named = connectionTokens(connection)
  if (named === NO_TOKENS) return out
  const kept: string[] = []
  for (let i = 0; i < out.length; i += 2) if (!named.has(out[i]!)) kept.push(out[i]!, out[i + 1]!)
  return kept
}

/**
 * A root may echo the credentials it was given (a WWW-Authenticate error description, a Location, a
 * debugging header): on a read those are the site's key, which no client may see. Only the key is
 * searched for, and only in values long enough to hold it (nearly none): every secret the process knows,
 * searched in every value, cost 2-3 µs a forwarded answer.
 */
function withoutKey(latin1: string, key: string | undefined): string {
  if (key === undefined || latin1.length < key.length) return latin1
  const image = Buffer.from(key).toString('latin1') // the key's bytes as a latin1 value holds them
  return latin1.includes(image) ? latin1.split(image).join(REDACTED) : latin1
}

/** The cached path's headers (stored once per fill): every secret the process knows is scrubbed. */
function scrubValue(v: string | string[]): string | string[] {
  return Array.isArray(v) ? v.map(scrubSecrets) : scrubSecrets(v)
}

function toClient(name: string, named: ReadonlySet<string>, siteKeyRead: boolean): boolean {
  return !HOP_BY_HOP.has(name) && !named.has(name) && !(siteKeyRead && name === 'set-cookie')
}

const NO_TOKENS: ReadonlySet<string> = new Set()

function connectionTokens(v: string | string[] | undefined): ReadonlySet<string> {
  // The usual cases (none, or `keep-alive`, itself hop-by-hop) need no allocation per request.
  if (!v || (typeof v === 'string' && v.toLowerCase() === 'keep-alive')) return NO_TOKENS
  return new Set((Array.isArray(v) ? v.join(',') : v).split(',').map((t) => t.trim().toLowerCase()).filter(Boolean))
}
