// The change stream (docs/protocol.md, `GET /api/v1/federation/stream`): a WebSocket over which a site
// announces each commit to its subscribers (children, middle sites), so they sync at once instead of at
// their next poll. An announcement names the repository and revision, never content: the subscriber syncs
// through the change feed as before, so a dropped stream or a lost message loses nothing but time.
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import WebSocket, { WebSocketServer } from 'ws'
import { GatewayError, sendUpgradeError } from '../../../gateway/errors.ts'
import type { UpgradeRoute } from '../../../gateway/plugin-api.ts'
import type { Clock } from '../../../gateway/util/clock.ts'
import { presentedKey } from '../keys.ts'
import type { CommittedChange, IndexedRepositoryStore } from '../store/repository-store.ts'

export const STREAM_PATH = '/api/v1/federation/stream'

/** Close codes a subscriber acts on (4000–4999 are the application's own, RFC 6455 §7.4.2). */
export const CLOSE_KEY_REVOKED = 4401
export const CLOSE_TOO_SLOW = 4408
export const CLOSE_GOING_AWAY = 1001

export interface StreamOptions {
  /** Ping interval; a subscriber that has not answered the previous ping by the next one is dropped. */
  heartbeat: number
  /** Bytes queued for one subscriber beyond which it is dropped (it catches up by revision later). */
  maxQueueBytes: number
  maxSubscribers: number
}

/** What a subscriber is told, one JSON text message each. */
export type StreamMessage =
  | { type: 'hello'; store: string; revision: number; heartbeatMs: number }
  | { type: 'commit'; repo: string; revision: number; store: string }

/** What a presented key or link token may hear; verified at the upgrade and again before each announcement. */
export interface StreamCredential {
  /** For logs: the key's or link's id, never the secret. */
  id: string
  /** May it subscribe at all (a key that reads, a link that downloads)? Else 403. */
  subscribe: boolean
  /** Is it told of commits to `repo` (a link hears only its own repositories)? */
  reads(repo: string): boolean
}

export interface StreamCredentials {
  verify(presented: string): Promise<StreamCredential | undefined>
}

interface Subscriber {
  ws: WebSocket
  /** The key presented at the upgrade, checked again before each announcement: a disabled key hears no more. */
  presented: string
  alive: boolean
}

export class ChangeStream {
  readonly #subs = new Set<Subscriber>()
  readonly #wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: 4096 })
  readonly #stats = { announced: 0, dropped: 0, refused: 0, revoked: 0 }
  #timer: unknown
  #unsubscribe: () => void
  /** Announcements wait for the key checks of the one before: subscribers hear commits in order. */
  #queue: Promise<void> = Promise.resolve()

  constructor(
    private readonly d: { repos: IndexedRepositoryStore; credentials: StreamCredentials; clock: Clock; log: Logger },
    private readonly o: StreamOptions,
  ) {
    this.#unsubscribe = d.repos.onCommit((c) => this.#announce(c))
    this.#beat()
  }

  readonly upgrade: UpgradeRoute = {
    name: 'hub-stream',
    match: (_req, path) => path === STREAM_PATH,
    handle: (req, socket, head) => void this.#accept(req, socket, head),
  }

  async #accept(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy())
    try {
      const presented = presentedKey(req.headers)
      const cred = presented ? await this.d.credentials.verify(presented) : undefined
      if (!cred) throw new GatewayError('GW_ERR_UNAUTHORIZED', undefined, { 'www-authenticate': 'Bearer realm="fedgate"' })
      if (!cred.subscribe) throw new GatewayError('GW_ERR_FORBIDDEN', 'this token may not read the change stream (a link that does not download)')
      if (this.#subs.size >= this.o.maxSubscribers) throw new GatewayError('GW_ERR_STREAM_FULL', undefined, { 'retry-after': '5' })
      if (socket.destroyed) return
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#subscribe(ws, presented!, cred.id))
    } catch (err) {
      this.#stats.refused++
      sendUpgradeError(socket, err instanceof GatewayError ? err : new GatewayError('GW_ERR_INTERNAL', undefined, {}, { cause: err }))
    }
  }

  #subscribe(ws: WebSocket, presented: string, id: string): void {
    const sub: Subscriber = { ws, presented, alive: true }
    this.#subs.add(sub)
    ws.on('pong', () => (sub.alive = true))
    // Subscribers have nothing to say; whatever they send is ignored.
    ws.on('error', () => ws.terminate())
    ws.on('close', () => this.#subs.delete(sub))
    this.#send(sub, JSON.stringify({ type: 'hello', store: this.d.repos.storeId, revision: this.d.repos.knownRevision, heartbeatMs: this.o.heartbeat } satisfies StreamMessage))
    this.d.log.debug({ key: id, subscribers: this.#subs.size }, 'change stream subscribed')
  }

  #announce(c: CommittedChange): void {
    if (this.#subs.size === 0) return
    const message = JSON.stringify({ type: 'commit', repo: c.repo, revision: c.revision, store: this.d.repos.storeId } satisfies StreamMessage)
    this.#stats.announced++
    this.#queue = this.#queue.then(() => this.#deliver({ repo: c.repo, message })).catch((err) => this.d.log.error({ err: String(err) }, 'change stream announcement failed'))
  }

  /**
   * Checks each distinct key once (most subscribers of a site share few keys), closes the subscribers of
   * keys that no longer verify, and sends `message` to the others.
   */
  async #deliver(commit?: { repo: string; message: string }): Promise<void> {
    const checks = new Map<string, Promise<StreamCredential | undefined>>()
    for (const sub of [...this.#subs]) {
      let check = checks.get(sub.presented)
      if (!check) checks.set(sub.presented, (check = this.d.credentials.verify(sub.presented)))
      const cred = await check
      if (!cred?.subscribe) {
        this.#stats.revoked++
        sub.ws.close(CLOSE_KEY_REVOKED, 'key disabled or recreated')
        this.#subs.delete(sub)
        continue
      }
      if (commit && cred.reads(commit.repo)) this.#send(sub, commit.message)
    }
  }

  /** Sends, or drops a subscriber whose queue is over its bound (it reads slower than commits come). */
  #send(sub: Subscriber, message: string): void {
    if (sub.ws.readyState !== WebSocket.OPEN) return
    if (sub.ws.bufferedAmount > this.o.maxQueueBytes) return this.#drop(sub)
    sub.ws.send(message)
  }

  #drop(sub: Subscriber): void {
    this.#stats.dropped++
    this.#subs.delete(sub)
    // Not close(): a subscriber that does not read would never answer the closing handshake.
    sub.ws.terminate()
  }

  /** Pings every subscriber; one that did not answer the previous ping has stopped reading. */
  #beat(): void {
    this.#timer = this.d.clock.setTimeout(() => {
      for (const sub of [...this.#subs]) {
        if (!sub.alive) {
          this.#drop(sub)
          continue
        }
        sub.alive = false
        sub.ws.ping()
      }
      this.#beat()
    }, this.o.heartbeat)
  }

  /** Disables, recreates made here: the subscribers of a key that no longer verifies are closed now. */
  async recheckKeys(): Promise<void> {
    await (this.#queue = this.#queue.then(() => this.#deliver()))
  }

  health(): Record<string, unknown> {
    return this.stats()
  }

  stats(): { subscribers: number; announced: number; dropped: number; refused: number; revoked: number } {
    return { subscribers: this.#subs.size, ...this.#stats }
  }

  close(): void {
    this.#unsubscribe()
    this.d.clock.clearTimeout(this.#timer)
    for (const sub of this.#subs) sub.ws.close(CLOSE_GOING_AWAY, 'site stopping')
    // Whoever has not answered the close by the end of the graceful stop is cut with the other upgraded sockets.
    this.#subs.clear()
  }
}
