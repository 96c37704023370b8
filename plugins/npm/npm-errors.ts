// Errors as npm prints them: npm shows `<status> <reason> - <method> <url> - <body.error>` when
// `error` is a string, so npm routes answer `{"error": "<message>", "code": "GW_ERR_…"}` instead of
// the core's `{"error": {code, message}}` (which npm would print as [object Object]).
import type { Logger } from 'pino'
import { GatewayError, reasonPhrase } from '../../gateway/errors.ts'
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
    this.message = `npm publish, unpublish, deprecate, dist-tag, owner, access and login are not accepted by this gateway; run them against the root registry (${setting} is false here)`
    this.reason = `Writes through this gateway are disabled (${setting} is false)`
  }
}

export function sendNpmError(ctx: RequestContext, err: unknown, log: Logger): void {
  const ge = err instanceof GatewayError ? err : new GatewayError('GW_ERR_INTERNAL', undefined, {}, { cause: err })
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

/** Wraps a handler so every failure is answered in npm's error shape. */
export function npmHandler(log: Logger, h: (ctx: RequestContext) => Promise<void> | void): (ctx: RequestContext) => Promise<void> {
  return async (ctx) => {
    try {
      await h(ctx)
    } catch (err) {
      sendNpmError(ctx, err, log)
    }
  }
}
