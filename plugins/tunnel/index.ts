// WebSocket federation tunnels: each configured path checks the caller's token at the edge (header,
// subprotocol entry, or CLASP HELLO) and only then joins it to the upstream.
import { readRequiredFile } from '../../gateway/config/options.ts'
import { section, type GatewayPlugin } from '../../gateway/plugin-api.ts'
import { tunnelsSpec } from './options.ts'
import { createTunnelRoute, type TunnelRoute } from './route.ts'
import { tunnelMetrics } from './metrics.ts'

declare module '../../gateway/plugin-api.ts' {
  interface ServiceMap {
    tunnels: TunnelRoute[]
  }
}

export const tunnelPlugin: GatewayPlugin = {
  name: 'tunnel',
  options: { tunnels: tunnelsSpec },
  enabled: (config) => section(config, 'tunnels', tunnelsSpec).length > 0,
  validate(config, fail) {
    const seen = new Set<string>()
    section(config, 'tunnels', tunnelsSpec).forEach((t, i) => {
      if (seen.has(t.path)) fail(['tunnels', i, 'path'], `${t.path} is already a tunnel path`)
      seen.add(t.path)
    })
  },
  setup({ config, log, clock, rootHealth }) {
    const routes = section(config, 'tunnels', tunnelsSpec).map((t) => {
      const caFile = t.ca ?? config.root?.ca
      const ca = caFile ? readRequiredFile(caFile, `tunnels ${t.path}: ca`) : undefined
      return createTunnelRoute(t, { log, clock, rootHealth, ca })
    })
    return {
      upgrades: routes.map((r) => r.upgrade),
      provides: { tunnels: routes },
      health: () => ({ tunnels: routes.map((r) => r.health()) }),
      metrics: (m) => tunnelMetrics(m, routes),
      close: async () => void (await Promise.all(routes.map((r) => r.close()))),
    }
  },
}
