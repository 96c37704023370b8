// The admin page's routes under /admin: the pages (sign-in form without a session), their files, the
// sign-in form's POST, and a small JSON API the page calls with its session cookie and CSRF token.
import { GatewayError } from '../../gateway/errors.ts'
import type { RequestContext, Route } from '../../gateway/plugin-api.ts'
import type { FailureThrottle } from '../../gateway/util/failure-throttle.ts'
import { KeyRing, scopes, type Scope } from '../hub/keys.ts'
import { readJson, sendJson as sendJsonWith } from '../hub/routes/http.ts'
import { isRepoName } from '../hub/names.ts'
import type { SyncScheduler } from '../sync/scheduler.ts'
import type { SyncAdmin } from '../sync/index.ts'
import type { SyncStatus } from '../sync/status.ts'
import type { OwnershipConflicts } from '../federation/owner-claims.ts'
import { checkSameOrigin, COOKIE, cookieOf, readForm, send, sessionCookie, pageHeaders } from './http.ts'
import { pageByPath, type PageFiles } from './pages.ts'
import { Sessions, type Session } from './sessions.ts'

export interface AdminDeps {
  site: string
  files: PageFiles
  sessions: Sessions
  keys: KeyRing
  /** Refused sign-ins per client address: past the limit, 429 until the window ends. */
  signInThrottle: FailureThrottle
  state: () => Record<string, unknown>
  sync?: { admin: SyncAdmin; scheduler: SyncScheduler; status: SyncStatus }
  npm?: { scheduler: SyncScheduler; status: SyncStatus }
  /** The federation plugin's ownership conflicts, to dismiss (listed in the state). */
  conflicts?: OwnershipConflicts
}

const HTML = 'text/html; charset=utf-8'
const CSRF_HEADER = 'x-fedgate-csrf'
const KEY_ACTION = /^\/admin\/api\/keys\/([0-9a-f]{16})\/(disable|enable|recreate)$/
const sendJson = (ctx: RequestContext, status: number, body: unknown) => sendJsonWith(ctx, status, body, pageHeaders)

export function adminRoutes(d: AdminDeps): Route[] {
  /** The request's live session whose key is still an enabled admin key, or undefined. */
  const sessionOf = async (ctx: RequestContext): Promise<Session | undefined> => {
    const s = await d.sessions.get(cookieOf(ctx.req, COOKIE))
    if (!s) return undefined
    const key = await d.keys.verifyFingerprint(s.key)
    if (key?.scope === 'admin') return s
    await d.sessions.close(s.id)
    return undefined
  }

  /** API calls: a session; for changes also the session's CSRF token in a header and a same-origin request. */
  const apiSession = async (ctx: RequestContext): Promise<Session> => {
    const s = await sessionOf(ctx)
    if (!s) throw new GatewayError('GW_ERR_UNAUTHORIZED', 'sign in at /admin')
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      checkSameOrigin(ctx)
      const token = ctx.req.headers[CSRF_HEADER]
      if (!Sessions.csrfMatches(s, typeof token === 'string' ? token : undefined)) throw new GatewayError('GW_ERR_FORBIDDEN', `a change needs the page's ${CSRF_HEADER} header; reload the page`)
    }
    return s
  }

  const api: Record<string, (ctx: RequestContext, s: Session) => Promise<void>> = {
    'GET /admin/api/state': async (ctx) => sendJson(ctx, 200, d.state()),
    'GET /admin/api/keys': async (ctx) => sendJson(ctx, 200, { keys: await d.keys.list() }),
    'POST /admin/api/keys': async (ctx) => {
      const { name, scope, namespaces } = await readJson(ctx.req)
      if (typeof name !== 'string' || typeof scope !== 'string' || !scopes.includes(scope as Scope)) throw new GatewayError('GW_ERR_BAD_REQUEST', `a key needs a name and a scope (${scopes.join(', ')})`)
      if (namespaces !== undefined && !(Array.isArray(namespaces) && namespaces.every((n) => typeof n === 'string'))) throw new GatewayError('GW_ERR_BAD_REQUEST', 'namespaces is a list of patterns')
      const created = await d.keys.create({ name, scope: scope as Scope, namespaces: namespaces as string[] | undefined })
      sendJson(ctx, 201, { key: created.key, ...created.info })
    },
    'POST /admin/api/sign-out': async (ctx, s) => {
      await d.sessions.close(s.id)
      ctx.res.setHeader('set-cookie', sessionCookie('', 0))
      sendJson(ctx, 200, { signedOut: true })
    },
    'POST /admin/api/repos': async (ctx) => {
      if (!d.sync) throw new GatewayError('GW_ERR_NOT_FOUND', 'this site synchronizes nothing (role root)')
      const { name } = await readJson(ctx.req)
      if (typeof name !== 'string') throw new GatewayError('GW_ERR_BAD_REQUEST', 'the body is {"name": "ns/name"} or {"name": "ns/*"}')
      const added = await d.sync.admin.add(name)
      sendJson(ctx, added ? 201 : 200, { name, added })
    },
    'POST /admin/api/sync': async (ctx) => {
      const { kind, name } = await readJson(ctx.req)
      const target = kind === 'npm' ? d.npm : kind === 'repo' ? d.sync : undefined
      if (!target) throw new GatewayError('GW_ERR_BAD_REQUEST', 'the body is {"kind": "repo" | "npm", "name": "..."}, for a kind this site synchronizes')
      if (typeof name !== 'string' || (kind === 'repo' && !isRepoName(name))) throw new GatewayError('GW_ERR_BAD_REQUEST', '"name" must name one repository or package')
      // Known to the status, or an entry added a moment ago whose first sync has not begun.
      const known = target.status.has(name) || (kind === 'repo' && d.sync!.admin.entries().includes(name))
      if (!known) throw new GatewayError('GW_ERR_NOT_FOUND', `${name} is not synchronized here`)
      // Starts now; the page watches it through the state.
      target.scheduler.request(name).catch(() => {})
      sendJson(ctx, 202, { started: [name] })
    },
    'POST /admin/api/links/dismiss-conflict': async (ctx) => {
      if (!d.conflicts) throw new GatewayError('GW_ERR_NOT_FOUND', 'this site has no federation links')
      const { repo, tag } = await readJson(ctx.req)
      if (typeof repo !== 'string' || typeof tag !== 'string') throw new GatewayError('GW_ERR_BAD_REQUEST', 'the body is {"repo": "ns/name", "tag": "..."}')
      sendJson(ctx, 200, { dismissed: await d.conflicts.dismiss(repo, tag) })
    },
  }

  return [
    {
      name: 'admin',
      stage: 'gateway',
      match: (ctx) => ctx.path === '/admin' || ctx.path.startsWith('/admin/'),
      async handle(ctx) {
        // The session cookie is Secure: over plain HTTP the browser would never send it back.
        if (!ctx.secure) throw new GatewayError('GW_ERR_FORBIDDEN', 'the admin page is served over HTTPS only')
        const asset = d.files.assets.get(ctx.path)
        if (asset && (ctx.method === 'GET' || ctx.method === 'HEAD')) return send(ctx, 200, asset.type, asset.body, { 'cache-control': 'no-cache' })

        const page = pageByPath.get(ctx.path)
        if (page && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
          const s = await sessionOf(ctx)
          if (!s) return send(ctx, 200, HTML, d.files.signInPage({ site: d.site }))
          return send(ctx, 200, HTML, d.files.page(page, { site: d.site, csrf: s.csrf }))
        }
        if (ctx.path === '/admin/sign-in' && ctx.method === 'POST') return signIn(ctx)

        const keyAction = KEY_ACTION.exec(ctx.path)
        const handler = keyAction && ctx.method === 'POST' ? keyActionHandler(keyAction[1]!, keyAction[2] as 'disable' | 'enable' | 'recreate') : api[`${ctx.method} ${ctx.path}`]
        if (!handler) throw new GatewayError(ctx.path.startsWith('/admin/api/') || page || asset ? 'GW_ERR_METHOD_NOT_ALLOWED' : 'GW_ERR_NOT_FOUND')
        await handler(ctx, await apiSession(ctx))
      },
    },
  ]

  function keyActionHandler(id: string, action: 'disable' | 'enable' | 'recreate') {
    return async (ctx: RequestContext) => {
      if (action === 'recreate') {
        const r = await d.keys.recreate(id)
        return sendJson(ctx, 200, { key: r.key, ...r.info })
      }
      sendJson(ctx, 200, await d.keys.setDisabled(id, action === 'disable'))
    }
  }

  /** The sign-in form: an enabled admin key of this site opens a session; anything else, the form again. */
  async function signIn(ctx: RequestContext): Promise<void> {
    checkSameOrigin(ctx)
    // Checked before the key: while an address waits, even the right key tells it nothing. Counted as
    // refused as it passes, before the awaits below, so sign-ins sent side by side cannot all pass.
    const attempt = d.signInThrottle.attempt(ctx.remoteAddress)
    if (attempt.retryAfter > 0) throw new GatewayError('GW_ERR_TOO_MANY_REQUESTS', 'too many refused sign-ins from this address; wait and try again', { 'retry-after': String(attempt.retryAfter) })
    const key = (await readForm(ctx.req)).get('key')?.trim() ?? ''
    const info = key ? await d.keys.verify(key) : undefined
    if (info?.scope !== 'admin') {
      const message = info ? 'That key is not an admin key.' : 'That key was refused.'
      return send(ctx, 401, HTML, d.files.signInPage({ site: d.site, message }))
    }
    attempt.passed()
    const s = await d.sessions.open(KeyRing.fingerprint(key)!)
    // 303: the browser loads the overview with GET, and a reload does not post the key again.
    ctx.res.writeHead(303, { ...pageHeaders, location: '/admin', 'set-cookie': sessionCookie(s.id, d.sessions.maxAge(s)), 'content-length': 0 })
    ctx.res.end()
  }
}
