// Counters one tunnel route reports under /health and /metrics.
import type { Metrics } from '../../gateway/metrics/registry.ts'
export const refusalReasons = ['badRequest', 'token', 'throttled', 'rootDown', 'full', 'upstream', 'helloTimeout', 'helloMalformed', 'helloBusy', 'helloPerAddress'] as const
export type RefusalReason = (typeof refusalReasons)[number]

export class TunnelMetrics {
  /** Tunnels passing messages now. */
  open = 0
  /** Callers checked and not yet joined: their upstream is being opened. Counts towards maxConnections. */
  pending = 0
  /** CLASP callers accepted and still to send their HELLO (helloBudget, not maxConnections). */
  awaitingHello = 0
  opened = 0
  bytesToUpstream = 0
  bytesToCaller = 0
  messagesToUpstream = 0
  messagesToCaller = 0
  /** Tunnels whose upstream went away; the caller was told to reconnect. */
  upstreamDrops = 0
  readonly refused = Object.fromEntries(refusalReasons.map((r) => [r, 0])) as Record<RefusalReason, number>

  snapshot(): Record<string, unknown> {
    return {
      open: this.open,
      pending: this.pending,
      awaitingHello: this.awaitingHello,
      opened: this.opened,
      bytes: { toUpstream: this.bytesToUpstream, toCaller: this.bytesToCaller },
      messages: { toUpstream: this.messagesToUpstream, toCaller: this.messagesToCaller },
      upstreamDrops: this.upstreamDrops,
      refused: { ...this.refused },
    }
  }
}

/** Per tunnel path (a handful, from the YAML): open tunnels, tunnels opened, callers refused by reason. */
export function tunnelMetrics(m: Metrics, routes: readonly { path: string; metrics: TunnelMetrics }[]): void {
  m.gauge('fedgate_tunnels_open', 'Tunnels passing messages now', ['path'], () => routes.map((r) => [{ path: r.path }, r.metrics.open] as const))
  m.counter('fedgate_tunnels_opened_total', 'Tunnels opened', ['path'], () => routes.map((r) => [{ path: r.path }, r.metrics.opened] as const))
  m.counter('fedgate_tunnel_refusals_total', 'Callers refused, by reason (throttled: an address that kept failing the token check)', ['path', 'reason'], () =>
    routes.flatMap((r) => refusalReasons.map((reason) => [{ path: r.path, reason }, r.metrics.refused[reason]] as const)),
  )
  m.counter('fedgate_tunnel_bytes_total', 'Bytes passed through tunnels, by direction', ['path', 'direction'], () =>
    routes.flatMap((r) => [[{ path: r.path, direction: 'to_upstream' }, r.metrics.bytesToUpstream] as const, [{ path: r.path, direction: 'to_caller' }, r.metrics.bytesToCaller] as const]),
  )
}
