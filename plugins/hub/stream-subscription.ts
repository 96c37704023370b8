// A subscription to an upstream's change stream (docs/protocol.md), a child's or a downloading link's:
// each commit announced for a selected repository is synchronized at once, through the same verified,
// atomic path as a round. Every (re)connect catches up from the revisions held, through the change
// feed, so a change made while the stream was down arrives once. Interval rounds go on whatever the
// stream does: while it is down they are how changes arrive, while it is up they are the safety net.
import type { SecureContext } from 'node:tls'
import type { Logger } from 'pino'
import WebSocket from 'ws'
import { scrubSecrets } from '../../gateway/config/secret.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import { trustWithCa, type RootClient } from '../../gateway/upstream/root-client.ts'
import type { RepoName } from './model.ts'
import type { StreamMessage } from './routes/change-stream.ts'
import { STREAM_PATH } from './routes/change-stream.ts'

export interface LiveOptions {
  reconnect: { initial: number; max: number }
}

export interface LiveDeps {
  client: RootClient
  /** root.ca, trusted besides the public roots. */
  ca?: string
  /** Syncs a repository now; resolves when that sync ended (see the status for its outcome). */
  request(name: RepoName): Promise<void>
  /** Did the last sync of `name` succeed? */
  ok(name: RepoName): boolean
  /** Is `name` selected by this site's entries (names and patterns)? */
  selected(name: RepoName): boolean
  /** Every selected repository, patterns expanded. */
  all(): Promise<RepoName[]>
  /** Does this site already hold the upstream store's changes of `name` up to `revision`? */
  upToDate(name: RepoName, store: string, revision: number): boolean
  /** A commit of `name` this site does not hold yet was announced (for its lag in /metrics). */
  announced?(name: RepoName, revision: number): void
  /** The stream was live and is down (the upstream stopped, or went silent): not called at our own stop. */
  down?(): void
  clock: Clock
  log: Logger
  random?: () => number
}

export class LiveSubscription {
  #state: 'live' | 'polling' = 'polling'
  #since: number
  #reason: string | undefined = 'not connected yet'
  /** Newest revision announced for a selected repository, and the newest of those whose sync is done. */
  #announced = 0
  #applied = 0
  #ws: WebSocket | undefined
  #failures = 0
  #retryTimer: unknown
  #watchdog: unknown
  #heartbeat = 15_000
  #stopped = false
  #started = false
  readonly #url: string
  /** The public roots plus d.ca, shared with the clients of that root (built once: parsing them costs). */
  readonly #secureContext: SecureContext | undefined

  constructor(
    private readonly d: LiveDeps,
    private readonly o: LiveOptions,
  ) {
    this.#since = d.clock.now()
    const scheme = d.client.origin.startsWith('https:') ? 'wss:' : 'ws:'
    this.#url = `${scheme}${d.client.origin.slice(d.client.origin.indexOf('//'))}${d.client.basePath}${STREAM_PATH}`
    this.#secureContext = trustWithCa(d.ca)
  }

  /** Subscribes, once: a site with nothing to synchronize has no reason to hold a stream open. */
  start(): void {
    if (this.#started) return
    this.#started = true
    this.#connect()
  }

  #connect(): void {
    if (this.#stopped) return
    const ws = new WebSocket(this.#url, {
      headers: this.d.client.keyHeaders(),
      // ws hands its options to tls.connect, which takes a built context; its types leave it out.
      ...({ secureContext: this.#secureContext } as object),
      perMessageDeflate: false,
      maxPayload: 64 * 1024,
      handshakeTimeout: 10_000,
    })
    this.#ws = ws
    ws.on('message', (data) => this.#onMessage(ws, String(data)))
    ws.on('ping', () => this.#watch(ws))
    // ws says "Unexpected server response: 401" for a refused upgrade: the status is the reason. An
    // upstream with no stream (404: not fedgate, or hub.stream off) is asked again only at the longest wait.
    ws.on('error', (err) => {
      this.#reason = scrubSecrets(err.message)
      if (/: 404$/.test(err.message)) this.#failures = 30
    })
    ws.on('close', (code) => this.#onClose(ws, code))
  }

  #onMessage(ws: WebSocket, text: string): void {
    let m: StreamMessage
    try {
      m = JSON.parse(text) as StreamMessage
    } catch {
      this.#reason = 'the upstream sent a message that is not JSON'
      return ws.terminate()
    }
    this.#watch(ws)
    if (m.type === 'hello') return this.#onHello(m)
    if (m.type === 'commit' && typeof m.repo === 'string' && this.d.selected(m.repo)) this.#onCommit(m.repo, m.store, m.revision)
  }

  #onHello(m: Extract<StreamMessage, { type: 'hello' }>): void {
    this.#state = 'live'
    this.#since = this.d.clock.now()
    this.#reason = undefined
    this.#failures = 0
    if (Number.isSafeInteger(m.heartbeatMs) && m.heartbeatMs > 0) this.#heartbeat = m.heartbeatMs
    this.d.log.info({ upstream: this.d.client.origin }, 'change stream live')
    // Catch up: whatever was committed while this site was not listening is behind the hello's revision.
    void this.d.all().then(
      (names) => {
        for (const name of names) if (!this.d.upToDate(name, m.store, m.revision)) void this.#sync(name, m.revision)
      },
      () => {},
    )
  }

  #onCommit(name: RepoName, store: string, revision: number): void {
    if (revision > this.#announced) this.#announced = revision
    if (!this.d.upToDate(name, store, revision)) {
      this.d.announced?.(name, revision)
      void this.#sync(name, revision)
    } else if (revision > this.#applied) this.#applied = revision
  }

  async #sync(name: RepoName, revision: number): Promise<void> {
    await this.d.request(name)
    if (this.d.ok(name) && revision > this.#applied) this.#applied = revision
  }

  /** The upstream pings every heartbeat: silence for two and a half of them means the link is dead. */
  #watch(ws: WebSocket): void {
    this.d.clock.clearTimeout(this.#watchdog)
    this.#watchdog = this.d.clock.setTimeout(() => {
      this.#reason = 'the upstream went silent'
      ws.terminate()
    }, this.#heartbeat * 2.5)
  }

  #onClose(ws: WebSocket, code: number): void {
    if (ws !== this.#ws) return
    this.d.clock.clearTimeout(this.#watchdog)
    this.#ws = undefined
    // Closed by our own stop: nothing to report (the site's log may already be closed).
    if (this.#state === 'live' && !this.#stopped) {
      this.#since = this.d.clock.now()
      this.#reason ??= `closed by the upstream (${code})`
      this.d.log.warn({ upstream: this.d.client.origin, reason: this.#reason }, 'change stream down; polling until it is back')
      this.d.down?.()
    }
    this.#state = 'polling'
    if (this.#stopped) return
    // 1 s doubling to 30 s, each wait between half and all of its step so that children spread out.
    const step = Math.min(this.o.reconnect.max, this.o.reconnect.initial * 2 ** Math.min(this.#failures++, 30))
    const wait = Math.round(step * (0.5 + 0.5 * (this.d.random ?? Math.random)()))
    this.#retryTimer = this.d.clock.setTimeout(() => this.#connect(), wait)
  }

  get state(): 'live' | 'polling' {
    return this.#state
  }

  health(): Record<string, unknown> {
    return {
      state: this.#state,
      since: new Date(this.#since).toISOString(),
      ...(this.#reason && this.#state === 'polling' ? { reason: this.#reason } : {}),
      announced: this.#announced,
      applied: this.#applied,
      lag: Math.max(0, this.#announced - this.#applied),
    }
  }

  close(): void {
    this.#stopped = true
    this.d.clock.clearTimeout(this.#retryTimer)
    this.d.clock.clearTimeout(this.#watchdog)
    this.#ws?.terminate()
  }
}
