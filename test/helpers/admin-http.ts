// The admin page spoken to without a browser: signing in through the form and calling its API with the
// session cookie, for the tests of the page's security rules.
import { fetchText, type TestSite } from './sites.ts'

export interface AdminSession {
  cookie: string
  /** The Set-Cookie line as the site sent it. */
  setCookie: string
  csrf: string
}

export async function signInHttp(site: TestSite, key: string, headers: Record<string, string> = {}): Promise<AdminSession | { status: number; body: string }> {
  const res = await fetchText(site, '/admin/sign-in', {
    method: 'POST',
    body: new URLSearchParams({ key }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: site.url, ...headers },
  })
  const setCookie = res.headers['set-cookie']
  if (res.status !== 303 || typeof setCookie !== 'string') return { status: res.status, body: res.body }
  const cookie = setCookie.split(';')[0]!
  const page = await fetchText(site, '/admin', { headers: { cookie } })
  const csrf = /<meta name="csrf" content="([^"]+)">/.exec(page.body)?.[1] ?? ''
  return { cookie, setCookie, csrf }
}

export function isSession(s: AdminSession | { status: number }): s is AdminSession {
  return 'cookie' in s
}

/** A call to the page's API with the session: cookie, CSRF header and same-origin headers unless overridden. */
export function adminApi(site: TestSite, s: AdminSession, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return fetchText(site, path, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { cookie: s.cookie, 'x-fedgate-csrf': s.csrf, origin: site.url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json', ...headers },
  })
}
