// The links a site accepts connections for (docs/federation.md, "Links"), each with its own sync token:
// a kind of token (token-ring.ts), stored hashed, shown once, checked on every use, so a disabled link
// stops working at once. A token is limited to its link's repositories and to what its mode lets the
// connecting side do.
import { GatewayError } from '../../gateway/errors.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import { OWNS_PATTERN } from '../../gateway/config/schema.ts'
import type { RepoName } from './model.ts'
import { LinkActivity } from './link-activity.ts'
import { ownsMatches } from './ownership.ts'
import type { IndexStore } from './store/index.ts'
import { TokenRing, type Issued, type TokenInfo, type TokenKind } from './token-ring.ts'

export const linkModes = ['pull', 'push', 'mirror', 'custom'] as const
export type LinkMode = (typeof linkModes)[number]

/** What a link lets content do, seen from the side that connects out ("outgoing"). */
export interface LinkActions {
  /** The outgoing side downloads the incoming side's changes. */
  download: boolean
  /** The outgoing side uploads its changes. */
  upload: boolean
  /** Deletes (tombstones) downloaded are applied. */
  deleteDownloaded: boolean
  /** Deletes are uploaded. */
  deleteUploaded: boolean
}

/** The actions of a mode; `custom` takes them as given (absent: false). */
export function actionsOf(mode: LinkMode, custom: Partial<LinkActions> = {}): LinkActions {
  switch (mode) {
    case 'pull':
      return { download: true, upload: false, deleteDownloaded: true, deleteUploaded: false }
    case 'push':
      return { download: false, upload: true, deleteDownloaded: false, deleteUploaded: true }
    case 'mirror':
      return { download: true, upload: true, deleteDownloaded: true, deleteUploaded: true }
    case 'custom':
      return { download: !!custom.download, upload: !!custom.upload, deleteDownloaded: !!custom.download && !!custom.deleteDownloaded, deleteUploaded: !!custom.upload && !!custom.deleteUploaded }
  }
}

export interface LinkInfo extends TokenInfo {
  /** Patterns (ns/*, ns/**, ns/name) of the repositories the link carries. */
  repositories: string[]
  mode: LinkMode
  actions: LinkActions
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/

export function linkCovers(link: Pick<LinkInfo, 'repositories'>, repo: RepoName): boolean {
  return link.repositories.some((p) => ownsMatches(p, repo))
}

const LINKS: TokenKind<LinkInfo> = { noun: 'link', uniqueNames: true, order: (a, b) => a.name.localeCompare(b.name) }

export class LinkRing extends TokenRing<LinkInfo> {
  /** When each link's peer was last heard from (the incoming side's status tells a silent peer by it). */
  readonly activity: LinkActivity

  constructor(index: IndexStore, clock: Clock) {
    super(index, clock, LINKS)
    this.activity = new LinkActivity(clock)
  }

  async create(o: { name: string; repositories: string[]; mode: LinkMode; custom?: Partial<LinkActions> }): Promise<Issued<LinkInfo>> {
    if (!NAME.test(o.name)) throw new GatewayError('GW_ERR_BAD_REQUEST', 'a link name is 1-63 of a-z 0-9 - (the peer site\'s name, say)')
    if (!linkModes.includes(o.mode)) throw new GatewayError('GW_ERR_BAD_REQUEST', `mode is one of ${linkModes.join(', ')}`)
    if (o.repositories.length === 0) throw new GatewayError('GW_ERR_BAD_REQUEST', 'a link needs repositories (e.g. tokyo/*,london/*)')
    for (const p of o.repositories) if (!OWNS_PATTERN.test(p)) throw new GatewayError('GW_ERR_BAD_REQUEST', `${JSON.stringify(p)}: a repository pattern is ns/*, ns/** or ns/name`)
    return this.issue(o.name, { repositories: o.repositories, mode: o.mode, actions: actionsOf(o.mode, o.custom) })
  }

  /** A new token for the same link (by name or id); the old one stops working at once. */
  async recreate(nameOrId: string): Promise<Issued<LinkInfo>> {
    return this.reissue(nameOrId)
  }
}
