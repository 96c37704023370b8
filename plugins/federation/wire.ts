// The link protocol's messages (docs/protocol.md, "Links"). Every path is under /api/v1/federation/link/
// and authorized by the link's sync token.
import type { Change, ImageRecord, RepoName } from '../hub/model.ts'
import type { LinkActions, LinkMode } from '../hub/links.ts'
import type { TagVersion } from '../hub/store/versions.ts'

export const LINK_PREFIX = '/api/v1/federation/link'

/** A position in one site's change log: its store id names the numbering. */
export interface VectorEntry {
  store: string
  rev: number
  /** For a download: the link's patterns it was read with (a link that selects more reads again from the start). */
  patterns?: string[]
}

/** POST …/hello: who the connecting site is. */
export interface HelloRequest {
  site: string
  owns: string[]
  /** How often the caller exchanges over this link (ms): the incoming side tells a silent peer by it. */
  interval?: number
}

export interface HelloAnswer {
  site: string
  owns: string[]
  link: { name: string; mode: LinkMode; actions: LinkActions; repositories: string[] }
  /** How far this site has applied the caller's log (what an upload continues from). */
  vector?: VectorEntry
  store: string
  revision: number
}

/** GET …/changes?since=&peer=: this site's log after `since`, filtered for the link and the caller. */
export interface LinkPage {
  store: string
  revision: number
  changes: Change[]
  /** Continue from here (the last entry read, filtered or not). */
  next: number
  more: boolean
}

/** GET …/snapshot: every repository the link carries, with versions (when the log no longer reaches back). */
export interface LinkSnapshot {
  store: string
  revision: number
  repos: { name: RepoName; tags: Record<string, string>; images: Record<string, ImageRecord>; versions: Record<string, TagVersion> }[]
}

/** POST …/changes: the caller's log entries after the receiver's vector, up to `upTo`. */
export interface UploadBatch {
  site: string
  store: string
  upTo: number
  changes: Change[]
}

/** HEAD/PUT …/blobs/sha256:<id>: the partial size kept of an interrupted upload, and where a PUT continues. */
export const PARTIAL_HEADER = 'fedgate-partial'
export const OFFSET_HEADER = 'fedgate-offset'
export const SIZE_HEADER = 'fedgate-size'
