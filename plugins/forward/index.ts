// The fallback route: whatever no other route takes goes to the root, over keep-alive connections,
// with the client's credentials stripped and the site's low-privilege key added.
import { GatewayError, upstreamError } from '../../gateway/errors.ts'
import { section, type GatewayPlugin, type RequestContext } from '../../gateway/plugin-api.ts'
import { createRootClient } from '../../gateway/upstream/root-client.ts'
import { forwardSpec } from './options.ts'
import { upstreamRequestHeaders, clientResponseHeaders } from './headers.ts'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE'])

export const forwardPlugin: GatewayPlugin = {
  name: 'forward',
  options: { forward: forwardSpec },
  enabled: (config) => Boolean(config.root) && section(config, 'forward', forwardSpec).enabled,
  setup({ config, rootHealth }) {
    const o = section(config, 'forward', forwardSpec)
    const root = config.root!
    const client = createRootClient({
      ...root,
      connectTimeout: o.timeouts.connect,
      headersTimeout: o.timeouts.headers,
      bodyTimeout: o.timeouts.body,
      connections: o.connections,
    })

    const forward = (ctx: RequestContext): Promise<void> => {
      const { req, res, method } = ctx
      const write = !SAFE_METHODS.has(method)
      if (write && !o.allowWrites) throw new GatewayError('GW_ERR_WRITES_DISABLED', undefined, { allow: 'GET, HEAD, OPTIONS' })
      rootHealth?.admit()
      ctx.upstream = client.origin
      ctx.cache = 'bypass'
      const headers = upstreamRequestHeaders(req.headers, {
        siteKey: write ? undefined : client.keyHeaders(),
        passCookies: o.passCookies,
        remoteAddress: ctx.remoteAddress,
        secure: ctx.secure,
      })
      const abort = new AbortController()
      const onClose = () => {
        if (!res.writableFinished) abort.abort()
      }
      res.once('close', onClose)
      return client.pool
        .stream(
          {
            path: client.basePath + ctx.rawPath + ctx.query,
            method,
            headers,
            body: BODYLESS.has(method) && !req.headers['content-length'] && !req.headers['transfer-encoding'] ? null : req,
            signal: abort.signal,
          },
          ({ statusCode, headers: upstreamHeaders }) => {
            rootHealth?.report()
            // A redirect is passed on as the root sent it: the gateway never follows it, so the key
            // never travels to another host.
            res.writeHead(statusCode, clientResponseHeaders(upstreamHeaders))
            return res
          },
        )
        .then(
          () => undefined,
          (err: unknown) => {
            res.off('close', onClose)
            if (abort.signal.aborted) return // the client left; not the root's fault
            const ge = upstreamError(err)
            rootHealth?.report(ge)
            if (res.headersSent) {
              res.destroy()
              return
            }
            throw ge
          },
        )
    }

    return {
      routes: [{ name: 'forward', stage: 'fallback', match: () => true, handle: forward }],
      provides: { forward },
      close: () => client.close(),
    }
  },
}
