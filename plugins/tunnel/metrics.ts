// Counters one tunnel route reports under /health (and a metrics endpoint, when one exists).
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
