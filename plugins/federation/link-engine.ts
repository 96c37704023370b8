// One outgoing link's exchanges (docs/federation.md, "Exchange"): hello, then download (the peer's
// log after our vector entry for it) and upload (our log after its vector entry for us), each as the
// link's mode says. Applying goes through the repository store's rule (newer versions only), so an
// exchange is idempotent: a cut anywhere is resumed by the next round, and changes already held cost
// nothing. Blobs are verified by digest, fetched or sent only when the other side lacks them, and an
// interrupted one continues from the bytes already kept.
import { open } from 'node:fs/promises'
import type { Logger } from 'pino'
import { GatewayError } from '../../gateway/errors.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import { Limiter } from '../../gateway/util/limiter.ts'
import { actionsOf, type LinkActions, type LinkMode } from '../hub/links.ts'
import type { Change, ImageRecord, RepoName } from '../hub/model.ts'
import { firstOverlap, linkCarries, ownsAny, ownsMatches } from '../hub/ownership.ts'
import type { FileBlobStore } from '../hub/store/blob-store.ts'
import type { CommittedChange, IndexedRepositoryStore } from '../hub/store/repository-store.ts'
import { heldVersion, newer, versionOfChange } from '../hub/store/versions.ts'
import { BLOB_SLOTS, PeerBlobMissing, type Peer } from './peer.ts'
import { pageProblem, snapshotProblem } from './change-check.ts'
import { changesOfState, type FederationState } from './state.ts'
import type { LinkTraffic } from './status.ts'
import type { HelloAnswer } from './wire.ts'
import type { OwnerClaims } from './owner-claims.ts'
import type { InFlight } from '../../gateway/util/in-flight.ts'

/** Pages of the peer's log applied together (hub.changesLimit changes each, 1000 by default). */
const DOWNLOAD_BATCH_PAGES = 10

export interface OutgoingLink {
  name: string
  mode: LinkMode
  custom: Partial<LinkActions>
  repositories: string[]
  interval: number
  retry: number
}

export interface LinkEngineDeps {
  site: { name: string; owns: readonly string[] }
  repos: IndexedRepositoryStore
  blobs: FileBlobStore
  state: FederationState
  /** Records the peer's claims, and sets aside what this site published in them. */
  owners: OwnerClaims
  traffic: LinkTraffic
  peer: Peer
  clock: Clock
  log: Logger
  pageLimit: number
  /** Blob downloads in flight in this process, shared by every link: two links never write one partial file at once. */
  downloads: InFlight<void>
}

export class LinkEngine {
  /** Blob transfers in flight at once, each way (a round downloads and uploads at the same time). */
  readonly #downSlots = new Limiter(BLOB_SLOTS)
  readonly #upSlots = new Limiter(BLOB_SLOTS)
  #timer: unknown
  #failures = 0
  #stopped = false
  #running?: Promise<void>

  constructor(
    private readonly link: OutgoingLink,
    private readonly d: LinkEngineDeps,
  ) {
    const s = d.traffic.get(link.name, 'outgoing')
    s.mode = link.mode
    s.url = d.peer.url
  }

  start(): void {
    this.#schedule(0)
  }

  #queued?: Promise<void>

  /** An exchange soon: announcements that arrive while one is waiting share it. Never rejects (status says why). */
  requestExchange(): Promise<void> {
    // Cleared in a later tick than it is set (a then callback), so a request while idle cannot leave a
    // settled promise here that every later request would be handed instead of an exchange.
    this.#queued ??= this.#idle().then(() => {
      this.#queued = undefined
      // A failure retries with the backoff (exchange() arranges it): waiting for the interval (an hour,
      // say) left a push link's commit made while its peer was down unsent that long.
      return this.#stopped ? undefined : this.exchange().catch(() => {})
    })
    return this.#queued
  }

  async #idle(): Promise<void> {
    while (this.#running) await this.#running.catch(() => {})
  }

  /**
   * A commit here: a link that uploads it starts an exchange at once rather than at its interval (as
   * the peer's change stream does for downloads). Not for what came from the peer itself, nor while
   * the link is failing (its retry is due anyway).
   */
  onLocalCommit(c: CommittedChange): void {
    const s = this.d.traffic.get(this.link.name, 'outgoing')
    if (this.#stopped || s.failing || (s.peer !== undefined && c.via === s.peer)) return
    if (!actionsOf(this.link.mode, this.link.custom).upload || !this.#covers(c.repo)) return
    void this.requestExchange()
  }

  /**
   * One exchange now (scheduled, requested, `links sync`); waits for one already running. Every
   * failure, however the exchange was started, is retried with the backoff: an explicit one recorded
   * no next try, and left the link waiting for its interval.
   */
  async exchange(): Promise<void> {
    while (this.#running) await this.#running.catch(() => {})
    this.#running = this.#round()
      .then(
        () => void (this.#failures = 0),
        (err: unknown) => {
          this.#retryAfter(err)
          throw err
        },
      )
      .finally(() => (this.#running = undefined))
    return this.#running
  }

  async close(): Promise<void> {
    this.#stopped = true
    this.d.clock.clearTimeout(this.#timer)
    await this.#running?.catch(() => {})
    await this.d.peer.close()
  }

  /** The next scheduled exchange, in place of any other: a link has one timer, whatever failed or succeeded meanwhile. */
  #schedule(wait: number): void {
    this.d.clock.clearTimeout(this.#timer)
    if (this.#stopped) return
    // A failure has scheduled its retry (exchange()).
    this.#timer = this.d.clock.setTimeout(() => this.exchange().then(() => this.#schedule(this.link.interval), () => {}), wait)
  }

  /** A failed exchange: the next one after the backoff (retry, doubling, at most the interval). */
  #retryAfter(err: unknown): void {
    this.#failures++
    const next = Math.min(this.link.interval, this.link.retry * 2 ** (this.#failures - 1))
    const reason = (err as Error)?.message ?? String(err)
    this.d.traffic.failed(this.link.name, reason, this.d.clock.now() + next, 'outgoing')
    if (this.#stopped) return
    this.d.log.warn({ reason, retryIn: next }, 'link exchange failed') // the child logger names the link
    this.#schedule(next)
  }

  async #round(): Promise<void> {
    const { peer, site, state, traffic } = this.d
    // Only what this link can carry: the peer refuses a claim beyond its link (403).
    const hello = await peer.hello({ site: site.name, owns: site.owns.filter((o) => linkCarries(this.link.repositories, o)), interval: this.link.interval })
    // And only what this link carries is taken from the answer: a claim beyond it would make this site
    // refuse its own publishes there. Ignored, not fatal: the peer's side of the link may be wider.
    const claims = hello.owns.filter((o) => linkCarries(this.link.repositories, o))
    const ignored = hello.owns.filter((o) => !claims.includes(o))
    if (ignored.length) this.d.log.warn({ peer: hello.site, ignored }, `${hello.site} claims ${ignored.join(', ')}, which link ${this.link.name} (${this.link.repositories.join(', ')}) does not carry: ignored`)
    const overlap = firstOverlap(site.owns, claims)
    if (overlap) throw new GatewayError('GW_ERR_OWNERSHIP_OVERLAP', `${site.name} owns ${overlap[0]} and ${hello.site} claims ${overlap[1]}`)
    // Before the download: what this site published there is set aside, so the peer's values replace it.
    await this.d.owners.learn(hello.site, claims)
    const mine = actionsOf(this.link.mode, this.link.custom)
    // The incoming side's link decides too: each action needs both sides' consent.
    const act: LinkActions = {
      download: mine.download && hello.link.actions.download,
      upload: mine.upload && hello.link.actions.upload,
      deleteDownloaded: mine.deleteDownloaded && hello.link.actions.deleteDownloaded,
      deleteUploaded: mine.deleteUploaded && hello.link.actions.deleteUploaded,
    }
    const s = traffic.get(this.link.name, 'outgoing')
    s.peer = hello.site
    // Both ways at once: they touch disjoint log entries (what is downloaded is logged via the peer, and
    // never uploaded back to it), and each side's disk and the link are used while the other waits.
    await allSettledOrThrow([act.download ? this.#download(hello, act) : undefined, act.upload ? this.#upload(hello, act) : undefined])
    s.lastExchange = new Date(this.d.clock.now()).toISOString()
    delete s.failing
    await traffic.save(this.link.name, 'outgoing')
  }

  #covers(repo: RepoName, theirs?: readonly string[]): boolean {
    return this.link.repositories.some((p) => ownsMatches(p, repo)) && (!theirs || theirs.some((p) => ownsMatches(p, repo)))
  }

  /** Counts and logs the changes of a downloaded batch to what this site owns: never applied here (#applyDownloaded). */
  #countNotOwned(changes: Change[], via: string): void {
    const { site, traffic, log } = this.d
    for (const [repo, list] of byRepo(changes.filter((c) => ownsAny(site.owns, c.repo)))) {
      const n = traffic.notOwner(this.link.name, site.name, list, 'outgoing')
      if (n) log.warn({ peer: via, repo, changes: n }, `changes to ${repo}, owned by ${site.name}, made elsewhere: not applied`)
    }
  }

  async #download(hello: HelloAnswer, act: LinkActions): Promise<void> {
    const { peer, state, site } = this.d
    const s = this.d.traffic.get(this.link.name, 'outgoing')
    const held = await state.vector(hello.site)
    const patterns = [...this.link.repositories].sort()
    const same = held?.store === hello.store && held.rev <= hello.revision && JSON.stringify(held.patterns ?? patterns) === JSON.stringify(patterns)
    let since = same ? held!.rev : 0
    s.pending.down = Math.max(0, hello.revision - since)
    // Pages are applied DOWNLOAD_BATCH_PAGES at a time: a tag a page names and a later page replaces
    // needs only its last image. Past a batch, the earlier image may be one the peer no longer serves
    // (it serves the blobs its snapshots reference): then the peer's whole state is read instead, as for
    // a log trimmed too far. Retrying the same page would fail for ever.
    let batch: Change[] = []
    /** The batch's pages as read (echoes are counted in all of them). */
    let read: Change[] = []
    let batchPages = 0
    for (let pages = 0; pages < 100_000; pages++) {
      const page = await peer.changes(since, site.name)
      if (page === 'too-old') return this.#downloadSnapshot(hello, act)
      // Nothing of a malformed page is applied: the exchange fails naming it (the link's status shows it).
      const problem = pageProblem(page, since)
      if (problem !== undefined) throw new GatewayError('GW_ERR_PEER_BAD_RESPONSE', `${hello.site}'s changes since ${since}: ${problem}`)
      batch.push(...page.changes.filter((c) => this.#covers(c.repo)))
      read.push(...page.changes)
      since = page.next
      if (page.more && ++batchPages < DOWNLOAD_BATCH_PAGES) continue
      try {
        await this.#applyDownloaded(batch, hello.site, act.deleteDownloaded)
      } catch (err) {
        if (!(err instanceof PeerBlobMissing)) throw err
        this.d.log.info({ peer: hello.site, reason: err.message }, 'an image the log names is no longer served by the peer: reading its whole state')
        return this.#downloadSnapshot(hello, act)
      }
      // Once the batch is in: pages read again after a failure are not counted again.
      this.d.traffic.echoes(this.link.name, site.name, read, 'outgoing')
      await state.setVector(hello.site, { store: page.store, rev: since, patterns })
      batch = []
      read = []
      batchPages = 0
      if (!page.more) break
    }
    s.pending.down = 0
  }

  async #downloadSnapshot(hello: HelloAnswer, act: LinkActions): Promise<void> {
    const snap = await this.d.peer.snapshot()
    // Nothing of a malformed answer is applied: the exchange fails naming the field (the link's status shows it).
    const problem = snapshotProblem(snap, hello.site)
    if (problem !== undefined) throw new GatewayError('GW_ERR_PEER_BAD_RESPONSE', `${hello.site}'s whole state: ${problem}`)
    const changes: Change[] = []
    for (const r of snap.repos) if (this.#covers(r.name)) changes.push(...changesOfState({ ...r, revision: snap.revision }, hello.site))
    await this.#applyDownloaded(changes, hello.site, act.deleteDownloaded)
    await this.d.state.setVector(hello.site, { store: snap.store, rev: snap.revision, patterns: [...this.link.repositories].sort() })
  }

  /**
   * Brings the blobs the winning changes need, then applies each repository's changes in one commit.
   * The repositories of a batch share the blob slots: one whose blobs are in commits while the others'
   * still arrive, so the slots stay full across repository boundaries.
   */
  async #applyDownloaded(changes: Change[], via: string, deletes: boolean): Promise<void> {
    const { repos, blobs, state, site } = this.d
    const s = this.d.traffic.get(this.link.name, 'outgoing')
    // Only the owner publishes in what it owns: another site's changes to it are never applied here.
    const applicable = changes.filter((c) => !ownsAny(site.owns, c.repo))
    await allSettledOrThrow(
      [...byRepo(applicable)].map(async ([repo, list]) => {
        const needed = await this.#winningImages(repo, list)
        const release = await blobs.pins.pin(needed.map((i) => i.id))
        try {
          await allSettledOrThrow(needed.map((image) => this.#downSlots.run(() => this.#fetch(image))))
          const r = await repos.applyRemote(repo, list, { via, deletes })
          // What the commit applied: a batch retried after a failure applies (and counts) nothing twice.
          s.changes.in += r.applied
          await state.recordConflicts(r.conflicts)
          // A value withdrawn here may have replaced another that is due again: every peer's log is read again.
          if (r.withdrawn) await state.resetVectors()
        } finally {
          release()
        }
      }),
    )
    this.#countNotOwned(changes, via)
  }

  /** The images of each tag's last change that is newer than what is held: what the commit will reference. */
  async #winningImages(repo: RepoName, list: Change[]): Promise<ImageRecord[]> {
    const cur = await this.d.repos.get(repo)
    const last = new Map<string, Change>()
    for (const c of list) last.set(c.tag, c)
    const out = new Map<string, ImageRecord>()
    for (const c of last.values()) {
      if (c.op !== 'tag' || !c.image) continue
      if (newer(versionOfChange(c, ''), cur?.versions?.[c.tag] ?? heldVersion(cur, c.tag, this.d.site.name))) out.set(c.image.id, c.image)
    }
    return [...out.values()]
  }

  #fetch(image: ImageRecord): Promise<void> {
    return this.d.downloads.run(image.id, async () => {
      const { blobs, peer } = this.d
      if (await blobs.has(image.id)) return // another link brought it meanwhile
      const s = this.d.traffic.get(this.link.name, 'outgoing')
      const kept = Math.min(await blobs.partialSize(image.id), image.size)
      // A partial that already holds every byte (cut before its rename) is taken again whole: its range is empty.
      const r = await peer.blob(image.id, kept < image.size ? kept : 0)
      await blobs.write(image.id, r.body, { resume: r.from > 0, expectedSize: image.size, onChunk: (n) => (s.bytes.in += n) })
      s.blobs.in++
    })
  }

  async #upload(hello: HelloAnswer, act: LinkActions): Promise<void> {
    const { repos, peer, site } = this.d
    const s = this.d.traffic.get(this.link.name, 'outgoing')
    const myRev = await repos.revision()
    let since = hello.vector?.store === repos.storeId && hello.vector.rev <= myRev ? hello.vector.rev : 0
    // The peer's place in our log says what was sent under the scope of then: a wider one (more
    // patterns, either side's, or deletes now sent) sends our log again from the start, which the
    // peer applies by version (what it holds is skipped). Downloads keep their patterns likewise.
    const scope = JSON.stringify({ mine: [...this.link.repositories].sort(), theirs: [...hello.link.repositories].sort(), deletes: act.deleteUploaded })
    const lastScope = await this.d.state.uploadScope(hello.site)
    if (lastScope !== undefined && lastScope !== scope) since = 0
    s.pending.up = Math.max(0, myRev - since)
    const send = (c: Change) => this.#covers(c.repo, hello.link.repositories) && c.origin !== hello.site && c.via !== hello.site && (c.op === 'tag' || act.deleteUploaded || c.aside === true)
    for (let pages = 0; pages < 100_000; pages++) {
      const page = await repos.changes(since, undefined, this.d.pageLimit)
      let changes: Change[]
      let upTo: number
      let more = false
      if (page === 'too-old') {
        upTo = myRev
        changes = []
        for (const state of await repos.wholeState((name) => this.#covers(name, hello.link.repositories))) changes.push(...changesOfState(state, site.name))
      } else {
        const last = page.changes.at(-1)
        more = !!page.more && !!last
        upTo = more ? last!.rev : page.revision
        changes = page.changes.map((c) => (c.origin ? c : { ...c, origin: site.name, originRev: c.rev }))
      }
      changes = changes.filter(send)
      if (changes.length === 0 && upTo <= since) break
      await this.#sendBlobs(changes)
      await peer.upload({ site: site.name, store: repos.storeId, upTo, changes })
      s.changes.out += changes.length
      since = upTo
      if (!more) break
    }
    if (lastScope !== scope) await this.d.state.setUploadScope(hello.site, scope)
    s.pending.up = 0
  }

  /** Uploads the stored blob from byte `from`: 'moved' when the peer's part of it is no longer `from` bytes. */
  async #putBlob(id: string, from: number, size: number): Promise<'stored' | 'moved'> {
    // Opened, not looked up first: the open is the look (one disk round trip per blob, not two).
    const file = await open(this.d.blobs.path(id)).catch(() => {
      throw new GatewayError('GW_ERR_CONFLICT', `blob sha256:${id} is no longer stored here`)
    })
    // A copy damaged on this disk would go as a short body the peer can only refuse: said here, nothing sent.
    const stored = (await file.stat().catch(() => undefined))?.size
    if (stored !== size) {
      await file.close()
      throw new GatewayError('GW_ERR_CONFLICT', `blob sha256:${id} is stored here with ${stored ?? 'unknown'} bytes, its image says ${size}: not sent`)
    }
    const body = file.createReadStream({ start: from })
    try {
      return await this.d.peer.putBlob(id, from, size, body)
    } finally {
      body.destroy() // closes the file, whether the peer read it all or not
    }
  }

  /** Each tag's last image in the batch, sent when the peer lacks it, from the bytes it kept of an interrupted upload. */
  async #sendBlobs(changes: Change[]): Promise<void> {
    const { blobs, peer } = this.d
    const s = this.d.traffic.get(this.link.name, 'outgoing')
    const last = new Map<string, Change>()
    for (const c of changes) last.set(`${c.repo}:${c.tag}`, c)
    const images = new Map<string, ImageRecord>()
    for (const c of last.values()) if (c.op === 'tag' && c.image) images.set(c.image.id, c.image)
    if (images.size === 0) return
    // One question for the batch: which blobs the peer lacks, and what it kept of each.
    const lacking = await peer.missing([...images.keys()])
    await allSettledOrThrow(
      Object.entries(lacking).map(([id, partial]) =>
        this.#upSlots.run(async () => {
          const image = images.get(id)
          if (!image) return
          let from = Math.min(partial, image.size)
          const release = await blobs.pins.pin([id])
          try {
            if ((await this.#putBlob(id, from, image.size)) === 'moved') {
              // Another link (a triangle's other side) moved the peer's part of this blob, uploading it
              // too or just done: unless the peer now holds it, send it whole. The peer takes an upload
              // from byte 0 at any time, after any other write of the blob, and checks it like any other.
              if ((await peer.blobAt(id)).has) return
              from = 0
              if ((await this.#putBlob(id, 0, image.size)) === 'moved') throw new GatewayError('GW_ERR_CONFLICT', `blob sha256:${id.slice(0, 12)}: the peer refused an upload from byte 0`)
            }
            s.bytes.out += image.size - from
            s.blobs.out++
          } finally {
            release()
          }
        }),
      ),
    )
  }
}

/** Waits for every task; throws the first failure once all have settled (none left running). */
async function allSettledOrThrow(tasks: (Promise<unknown> | undefined)[]): Promise<void> {
  const failed = (await Promise.allSettled(tasks)).find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
}

function byRepo(changes: Change[]): Map<RepoName, Change[]> {
  const out = new Map<RepoName, Change[]>()
  for (const c of changes) {
    const list = out.get(c.repo)
    if (list) list.push(c)
    else out.set(c.repo, [c])
  }
  return out
}
