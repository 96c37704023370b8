// The admin page's HTTP pieces: strict headers on every answer, cookies, bounded form bodies, and the
// same-origin checks that keep another site from driving a signed-in browser (CSRF).
import type { IncomingMessage } from 'node:http'
import { GatewayError } from '../../gateway/errors.ts'
import { ADMIN_SESSION_COOKIE } from '../../gateway/server/own-cookies.ts'
import type { RequestContext } from '../../gateway/plugin-api.ts'
import { readBody } from '../hub/routes/http.ts'

export const COOKIE = ADMIN_SESSION_COOKIE

/** Nothing but this origin's own files: no inline script, no framing, no referrer to others, never cached. */
export const pageHeaders: Record<string, string> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // Not no-referrer: Chromium then sends `Origin: null` on the sign-in form's POST, which the check refuses.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
}

export function send(ctx: RequestContext, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  ctx.res.writeHead(status, { ...pageHeaders, 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers })
  ctx.res.end(ctx.method === 'HEAD' ? undefined : body)
}

export function cookieOf(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/**
 * __Host-: browsers take it only from this host over HTTPS, with Path=/ and no Domain, so a sibling host
 * or a plain-HTTP answer cannot plant or shadow it (session fixation). The page is HTTPS-only anyway.
 */
export function sessionCookie(value: string, maxAge: number): string {
  return `${COOKIE}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=Strict`
}

/** A urlencoded form body, bounded (a sign-in form is one field). */
export async function readForm(req: IncomingMessage, max = 4096): Promise<URLSearchParams> {
  return new URLSearchParams((await readBody(req, max)).toString('utf8'))
}

/**
 * A state-changing request must come from this site's own pages: an Origin naming another site, or a
 * browser saying the request is cross-site, is refused (the session token check comes on top, for API calls).
 */
export function checkSameOrigin(ctx: RequestContext): void {
  const site = ctx.req.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin') throw new GatewayError('GW_ERR_FORBIDDEN', 'the admin page takes changes only from its own pages')
  const origin = ctx.req.headers.origin
  if (origin === undefined) return
  const own = [`https://${ctx.req.headers.host ?? ''}`, safeOrigin(ctx.publicUrl)]
  if (!own.includes(origin)) throw new GatewayError('GW_ERR_FORBIDDEN', 'the admin page takes changes only from its own pages')
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin
  } catch {
    return undefined
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
