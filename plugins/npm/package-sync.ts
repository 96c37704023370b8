// Synchronizes one npm package: fetches its packument from the root, brings every kept version's
// tarball (verified against dist.integrity / dist.shasum while streaming, then stored by sha256 in the
// site's blob store), stores the cut packument as a blob too, and commits all of it as the package's
// repository snapshot in one atomic step: the packument and its tarballs become visible together.
import { readFile } from 'node:fs/promises'
import { Readable, pipeline } from 'node:stream'
import type { Logger } from 'pino'
import { GatewayError } from '../../gateway/errors.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import type { ImageRecord, RepoState } from '../hub/model.ts'
import { PinSet } from '../hub/store/blob-pins.ts'
import type { FileBlobStore } from '../hub/store/blob-store.ts'
import type { IndexedRepositoryStore } from '../hub/store/repository-store.ts'
import type { DownloadSlots } from '../sync/blob-fetcher.ts'
import type { SyncStatus } from '../sync/status.ts'
import { expectedDigest, verifying } from './integrity.ts'
import { repoOf, tarballFile } from './names.ts'
import { cutPackument, keptVersions, type Packument, type StoredPackument } from './packument.ts'
import type { RegistryUpstream } from './registry-upstream.ts'

/** The tag that names the stored packument; each version's tarball is tagged `v.<version>`. */
export const PACKUMENT_TAG = 'packument'
const versionTag = (v: string) => `v.${v.replace(/[^A-Za-z0-9._-]/g, '_')}`.slice(0, 128)

export interface PackageSyncDeps {
  repos: IndexedRepositoryStore
  blobs: FileBlobStore
  upstream: RegistryUpstream
  status: SyncStatus
  clock: Clock
  log: Logger
  newest: number | undefined
  maxTarballBytes: number
  /** Tarball downloads in flight at once, over every package (each hands its slot on before its fsync). */
  downloads: DownloadSlots
  /**
   * The site's collection of blobs no snapshot references (the sync plugin's collectAfterCommit, under
   * sync.collect and store.collect.grace), run after a commit that left some of the previous snapshot's.
   */
  collect: () => Promise<void>
}

export class PackageSync {
  constructor(private readonly d: PackageSyncDeps) {}

  /** The package's stored packument (undefined when it is not synchronized here). */
  async stored(name: string): Promise<StoredPackument | undefined> {
    const repo = repoOf(name)
    const state = repo ? await this.d.repos.get(repo) : undefined
    const id = state?.tags[PACKUMENT_TAG]
    if (!id) return undefined
    return JSON.parse(await readBlob(this.d.blobs, id)) as StoredPackument
  }

  /** One sync of `name`; throws with the reason when it fails (the scheduler retries with backoff). */
  async sync(name: string): Promise<void> {
    const { repos, upstream, status, log } = this.d
    const repo = repoOf(name)
    if (!repo) throw new GatewayError('GW_ERR_BAD_REQUEST', `${name} cannot be stored (name too long or unusual characters)`)
    const cur = await repos.get(repo)
    const prev = cur ? await this.stored(name) : undefined
    const root = await upstream.packument(name)
    if (!root) {
      if (!cur) throw new GatewayError('GW_ERR_NOT_FOUND', `${name} does not exist at the root`)
      // Unpublished whole at the root: the package disappears here too.
      const state = await repos.commit(repo, { tags: {}, images: {} })
      status.inSync(name, state.revision, undefined)
      await this.#collect(cur.images, {})
      log.info({ package: name }, 'npm package removed (gone at the root)')
      return
    }
    if (root.name !== name) throw new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', `asked for ${name}, the root answered ${String(root.name)}`)
    const packument = cutPackument(root, keptVersions(root, this.d.newest))

    // Every blob this commit will name is pinned until it is committed: a collection in between (the
    // sync engine's, after its own commit) must not remove a tarball stored here but not yet committed.
    const pins = new PinSet(this.d.blobs.pins)
    let images: Record<string, ImageRecord>
    try {
      images = await this.#bringAndCommit(name, repo, cur, prev, packument, pins)
    } finally {
      pins.release()
    }
    if (cur) await this.#collect(cur.images, images)
  }

  async #bringAndCommit(name: string, repo: string, cur: RepoState | undefined, prev: StoredPackument | undefined, packument: Packument, pins: PinSet): Promise<Record<string, ImageRecord>> {
    const { repos, status, log } = this.d
    const tarballs: StoredPackument['tarballs'] = {}
    const work: { version: string; file: string; url: string; integrity: string }[] = []
    for (const [version, doc] of Object.entries(packument.versions)) {
      const url = doc?.dist?.tarball
      if (typeof url !== 'string') throw new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', `${name}@${version} has no dist.tarball`)
      const file = tarballFile(url)
      const integrity = doc.dist.integrity ?? doc.dist.shasum ?? ''
      const had = prev?.tarballs[file]
      if (had) await pins.add(had.id) // before looking: found present means kept until the commit
      // Same file, same promised digest, blob still here: nothing to fetch.
      if (had && had.integrity === integrity && (await this.d.blobs.has(had.id))) tarballs[file] = had
      else work.push({ version, file, url, integrity })
    }
    const total = work.length
    if (total) status.syncing(name, total, 0)
    const results = await Promise.allSettled(
      work.map((w) =>
        this.d.downloads.run(async (received) => {
          tarballs[w.file] = { ...(await this.#fetch(name, packument, w.version, w.url, pins, received)), integrity: w.integrity }
          status.progress(name, 1)
        }),
      ),
    )
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) throw failed.reason

    const doc: StoredPackument = { packument, tarballs }
    const body = Buffer.from(JSON.stringify(doc))
    const stored = await this.d.blobs.ingest(Readable.from([body]), { expectedSize: body.length, pin: (id) => pins.add(id) })
    const at = new Date(this.d.clock.now()).toISOString()
    const tags: Record<string, string> = { [PACKUMENT_TAG]: stored.id }
    const images: Record<string, ImageRecord> = { [stored.id]: { id: stored.id, size: stored.size, createdAt: at } }
    for (const [version, v] of Object.entries(packument.versions)) {
      const t = tarballs[tarballFile(v.dist.tarball)]!
      tags[versionTag(version)] = t.id
      images[t.id] ??= { id: t.id, size: t.size, createdAt: cur?.images[t.id]?.createdAt ?? at }
    }
    const state = await repos.commit(repo, { tags, images })
    status.inSync(name, state.revision, undefined)
    if (state.revision !== cur?.revision) log.info({ package: name, revision: state.revision, versions: Object.keys(packument.versions).length, fetched: total }, 'npm package synchronized')
    return images
  }

  /** Downloads one tarball through the integrity check into the blob store. */
  async #fetch(name: string, p: Packument, version: string, url: string, pins: PinSet, received: () => void): Promise<{ id: string; size: number }> {
    const expected = expectedDigest(p.versions[version]!.dist)
    if (!expected) throw new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', `${name}@${version} has neither dist.integrity nor dist.shasum`)
    const body = await this.d.upstream.tarball(name, url)
    const check = verifying(expected, `${name}@${version}`)
    // pipeline carries a cut body into the check, so the blob store's write fails and keeps nothing.
    pipeline(body, check, () => {})
    try {
      return await this.d.blobs.ingest(check, { maxSize: this.d.maxTarballBytes, pin: (id) => pins.add(id), onReceived: received })
    } catch (err) {
      throw this.d.upstream.bodyFailed(err)
    }
  }

  /**
   * Stops serving `name` (no longer in npm.packages): its snapshot dropped in one commit, then its
   * tarballs and packument collected. False when nothing was dropped. Not for a snapshot the hub's
   * sync built (it records an upstream revision): that one is not the npm plugin's.
   */
  async drop(name: string): Promise<boolean> {
    const repo = repoOf(name)
    const state = repo ? await this.d.repos.get(repo) : undefined
    if (!repo || !state || state.upstreamRevision !== undefined) return false
    if (!(await this.d.repos.drop(repo, state.revision))) return false
    await this.#collect(state.images, {})
    return true
  }

  /**
   * When the previous snapshot had blobs this one lacks: the site's collection, which removes them only
   * once older than the grace, as the hub sync's does: another process (`fedgate publish`, a worker) may
   * have found the same bytes stored and be about to commit them, pinned where this one cannot see.
   */
  async #collect(before: Record<string, ImageRecord>, after: Record<string, ImageRecord>): Promise<void> {
    if (Object.keys(before).some((id) => !(id in after))) await this.d.collect()
  }
}

function readBlob(blobs: FileBlobStore, id: string): Promise<string> {
  return readFile(blobs.path(id), 'utf8')
}
