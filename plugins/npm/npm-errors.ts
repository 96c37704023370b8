// Errors as npm prints them: npm shows `<status> <reason> - <method> <url> - <body.error>` when
// `error` is a string, so npm routes answer `{"error": "<message>", "code": "GW_ERR_…"}` instead of
// the core's `{"error": {code, message}}` (which npm would print as [object Object]).
import type { Logger } from 'pino'
import { GatewayError, failureName, reasonPhrase, type ErrorCode } from '../../gateway/errors.ts'
import { scrubSecrets } from '../../gateway/config/secret.ts'
import type { RequestContext } from '../../gateway/plugin-api.ts'

/**
 * An npm write refused here, naming the setting that refused it in the status line and the body (the
 * catalogue's text for GW_ERR_WRITES_DISABLED always names forward.allowWrites).
 */
export class WritesRefused extends GatewayError {
  readonly reason: string
  constructor(setting: 'npm.allowWrites' | 'forward.allowWrites', allow?: string) {
    super('GW_ERR_WRITES_DISABLED', undefined, allow ? { allow } : {})
    this.message = `npm publish, unpublish, deprecate, dist-tag, owner, access, login, whoami, token and profile are not accepted by this gateway; run them against the root registry (${setting} is false here)`
    this.reason = `Writes through this gateway are disabled (${setting} is false)`
  }
}

/** npm sends `npm-command` (npm 7+) and a `npm/<version>` user agent; pnpm and yarn name themselves. */
export const fromNpmClient = (ctx: RequestContext): boolean =>
  ctx.req.headers['npm-command'] !== undefined || /^(npm|pnpm|yarn)\//.test(String(ctx.req.headers['user-agent'] ?? ''))

/** The root outages an npm client is told about without a status it retries, each in a few words. */
const OUTAGES: Partial<Record<ErrorCode, (ge: GatewayError) => string | undefined>> = {
  GW_ERR_ROOT_UNAVAILABLE: (ge) => `unreachable, ${causeCode(ge)}`,
  GW_ERR_ROOT_DOWN: (ge) => `down after repeated failures, next trial in ${ge.headers['retry-after'] ?? '?'} s`,
  GW_ERR_ROOT_TIMEOUT: () => 'no answer in time',
  // Only a lost connection (reset, closed, TLS): a bad answer the root did send (a 500, a cut or
  // oversized packument) is not an outage and keeps its 502.
  GW_ERR_ROOT_BAD_RESPONSE: (ge) => (ge.cause !== undefined && !(ge.cause instanceof GatewayError) ? `connection lost, ${causeCode(ge)}` : undefined),
}

const causeCode = (ge: GatewayError) => failureName(ge.cause).replace(/[^A-Za-z0-9_]/g, '')

/**
 * A root outage answered to an npm client: 424 instead of 503/504. npm (make-fetch-happen) retries 408,
 * 420, 429 and every 5xx, by default twice after 10 s and 60 s, and no other 4xx: a stopped root cost
 * 70 s and a hanging one 160 s before npm said anything, while the site's own circuit breaker already
 * does the waiting. 424 Failed Dependency ("depended on another action, which failed") is the 4xx that
 * says so; other clients keep 503 + Retry-After and 504.
 */
export class RootOutage extends GatewayError {
  constructor(site: string, reason: string, cause: GatewayError) {
    super('GW_ERR_ROOT_OUTAGE', undefined, cause.headers, { cause })
    this.message = `${site} cannot reach its root (${reason}): what is not synchronized at ${site} is unavailable until the root is back`
  }
}

/** The error as an npm client should get it: a root outage becomes RootOutage, anything else is kept. */
export function forNpmClient(ge: GatewayError, site: string): GatewayError {
  const reason = OUTAGES[ge.code]?.(ge)
  return reason === undefined ? ge : new RootOutage(site, reason, ge)
}

export function sendNpmError(ctx: RequestContext, err: unknown, o: NpmErrorOptions): void {
  const { log } = o
  let ge = err instanceof GatewayError ? err : new GatewayError('GW_ERR_INTERNAL', undefined, {}, { cause: err })
  if (fromNpmClient(ctx)) ge = forNpmClient(ge, o.site)
  ctx.error = ge.code
  if (ge.code === 'GW_ERR_INTERNAL') log.error({ err: scrubSecrets((err as Error)?.stack ?? String(err)), path: ctx.path }, 'npm handler failed')
  const { res } = ctx
  if (res.headersSent) return void res.destroy()
  if (!ctx.req.complete) ctx.req.resume()
  const body = scrubSecrets(JSON.stringify({ error: `${ge.message} (${ge.code})`, code: ge.code }))
  res.writeHead(ge.status, ge instanceof WritesRefused ? ge.reason : reasonPhrase(ge.code), {
    ...ge.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  })
  res.end(ctx.method === 'HEAD' ? undefined : body)
}

export interface NpmErrorOptions {
  log: Logger
  /** site.name, which an outage message names. */
  site: string
}

/** Wraps a handler so every failure is answered in npm's error shape. */
export function npmHandler(o: NpmErrorOptions, h: (ctx: RequestContext) => Promise<void> | void): (ctx: RequestContext) => Promise<void> {
  return async (ctx) => {
    try {
      await h(ctx)
    } catch (err) {
      sendNpmError(ctx, err, o)
    }
  }
}
