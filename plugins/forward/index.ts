// The fallback route: whatever no other route takes goes to the root, over keep-alive connections,
// with the client's credentials stripped and the site's low-privilege key added.
import type { Dispatcher } from 'undici'
import { GatewayError } from '../../gateway/errors.ts'
import { section, type GatewayPlugin, type RequestContext } from '../../gateway/plugin-api.ts'
import { createRootClient } from '../../gateway/upstream/root-client.ts'
import { forwardSpec } from './options.ts'
import { upstreamRequestHeaders } from './headers.ts'
import { ForwardResponse } from './response-handler.ts'

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
      const { req, method } = ctx
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
      return new Promise<void>((resolve, reject) => {
        client.pool.dispatch(
          {
            path: client.basePath + ctx.rawPath + ctx.query,
            method: method as Dispatcher.HttpMethod,
            headers,
            body: BODYLESS.has(method) && !req.headers['content-length'] && !req.headers['transfer-encoding'] ? null : req,
          },
          new ForwardResponse(ctx, rootHealth, !write, (err) => (err ? reject(err) : resolve())),
        )
      })
    }

    return {
      routes: [{ name: 'forward', stage: 'fallback', match: () => true, handle: forward }],
      provides: { forward },
      close: () => client.close(),
    }
  },
}
