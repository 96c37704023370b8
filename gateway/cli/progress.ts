// Progress of repositories being synchronized, as the CLI shows it: on a terminal one bar per repository
// (bytes, rate, time left), redrawn in place; otherwise (CI logs, pipes) plain lines, one when a
// repository changes state or passes another quarter of its bytes, so a log stays short and readable.

export interface RepoProgress {
  name: string
  state: string
  bytesDone: number
  bytesTotal: number
  revision?: number
  error?: string
}

interface Seen {
  state: string
  quarter: number
  /** Last sample and the smoothed rate (bytes/s) it gave. */
  at: number
  bytes: number
  rate: number
}

export class ProgressView {
  readonly #out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  readonly #tty: boolean
  readonly #now: () => number
  readonly #seen = new Map<string, Seen>()
  #drawn = 0

  constructor(out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, o: { tty?: boolean; now?: () => number } = {}) {
    this.#out = out
    this.#tty = o.tty ?? out.isTTY === true
    this.#now = o.now ?? Date.now
  }

  update(repos: readonly RepoProgress[]): void {
    const now = this.#now()
    for (const r of repos) this.#sample(r, now)
    if (this.#tty) this.#redraw(repos)
    else for (const r of repos) this.#plain(r)
  }

  #sample(r: RepoProgress, now: number): void {
    const s = this.#seen.get(r.name)
    if (!s) return void this.#seen.set(r.name, { state: '', quarter: -1, at: now, bytes: r.bytesDone, rate: 0 })
    const dt = (now - s.at) / 1000
    if (dt <= 0) return
    // A new sync starts again from 0: no negative rate.
    const instant = Math.max(0, r.bytesDone - s.bytes) / dt
    s.rate = s.rate === 0 ? instant : 0.7 * s.rate + 0.3 * instant
    s.at = now
    s.bytes = r.bytesDone
  }

  #plain(r: RepoProgress): void {
    const s = this.#seen.get(r.name)!
    const quarter = r.state === 'syncing' && r.bytesTotal > 0 ? Math.floor((4 * r.bytesDone) / r.bytesTotal) : -1
    if (s.state === r.state && (quarter <= s.quarter || quarter === 4)) return
    s.state = r.state
    s.quarter = quarter
    this.#out.write(`${r.name}: ${describe(r, s)}\n`)
  }

  #redraw(repos: readonly RepoProgress[]): void {
    // A pseudo-terminal with no size set says 0 columns.
    const width = Math.max(60, Math.min(this.#out.columns || 100, 140))
    const nameW = Math.min(32, Math.max(8, ...repos.map((r) => r.name.length)))
    const lines = repos.map((r) => {
      const s = this.#seen.get(r.name)!
      const frac = r.state === 'in-sync' ? 1 : r.bytesTotal > 0 ? Math.min(1, r.bytesDone / r.bytesTotal) : 0
      const barW = Math.max(10, Math.min(30, width - nameW - 60))
      const filled = Math.round(frac * barW)
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(barW - filled)}]`
      return `${fit(r.name, nameW)} ${bar} ${`${Math.floor(frac * 100)}%`.padStart(4)} ${describe(r, s)}`.slice(0, width - 1)
    })
    // Back to the first line drawn last time, each line cleared and rewritten.
    let text = this.#drawn > 0 ? `\x1b[${this.#drawn}A` : ''
    for (const l of lines) text += `\r\x1b[2K${l}\n`
    this.#out.write(text)
    this.#drawn = lines.length
  }
}

function describe(r: RepoProgress, s: Seen): string {
  if (r.state === 'in-sync') return `in sync${r.revision ? `, revision ${r.revision}` : ''}${r.bytesTotal ? `, ${bytes(r.bytesTotal)}` : ''}`
  if (r.state === 'failing') return `failing: ${r.error ?? 'unknown error'}`
  if (r.state !== 'syncing') return r.state
  const left = r.bytesTotal - r.bytesDone
  const eta = s.rate > 0 && left > 0 ? `, ${duration(left / s.rate)} left` : ''
  return `syncing ${bytes(r.bytesDone)}/${bytes(r.bytesTotal)}${s.rate > 0 ? `, ${bytes(s.rate)}/s` : ''}${eta}`
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024
    i++
  }
  return `${i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`
}

function duration(seconds: number): string {
  const s = Math.ceil(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

function fit(s: string, w: number): string {
  return s.length > w ? `…${s.slice(s.length - w + 1)}` : s.padEnd(w)
}
