// The links a site accepts connections for (docs/federation.md, "Links"), each with its own sync token.
// As with keys, only the sha256 of a token's secret is stored and the token is shown once, on create and
// recreate; every check reads the index, so a disabled link stops working at once. A token is limited
// to its link's repositories and to what its mode lets the connecting side do.
import { createHash, randomBytes } from 'node:crypto'
import { GatewayError } from '../../gateway/errors.ts'
import { constantTimeEqual } from '../../gateway/config/secret.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import { OWNS_PATTERN } from '../../gateway/config/schema.ts'
import { parseKey } from './keys.ts'
import type { RepoName } from './model.ts'
import { ownsMatches } from './ownership.ts'
import type { IndexStore } from './store/index.ts'

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

export interface LinkInfo {
  id: string
  name: string
  /** Patterns (ns/*, ns/**, ns/name) of the repositories the link carries. */
  repositories: string[]
  mode: LinkMode
  actions: LinkActions
  disabled: boolean
  createdAt: string
  updatedAt: string
}

interface LinkRecord extends LinkInfo {
  hash: string
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/
const linkKey = (id: string) => `link/${id}`
const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex')

export function linkCovers(link: Pick<LinkInfo, 'repositories'>, repo: RepoName): boolean {
  return link.repositories.some((p) => ownsMatches(p, repo))
}

export class LinkRing {
  readonly #index: IndexStore
  readonly #clock: Clock
  /** Told after a link is disabled or its token recreated here, so its stream subscribers are re-checked. */
  readonly #changed = new Set<() => void>()

  constructor(index: IndexStore, clock: Clock) {
    this.#index = index
    this.#clock = clock
  }

  onChange(listener: () => void): () => void {
    this.#changed.add(listener)
    return () => this.#changed.delete(listener)
  }

  async create(o: { name: string; repositories: string[]; mode: LinkMode; custom?: Partial<LinkActions> }): Promise<{ token: string; info: LinkInfo }> {
    if (!NAME.test(o.name)) throw new GatewayError('GW_ERR_BAD_REQUEST', 'a link name is 1-63 of a-z 0-9 - (the peer site\'s name, say)')
    if (!linkModes.includes(o.mode)) throw new GatewayError('GW_ERR_BAD_REQUEST', `mode is one of ${linkModes.join(', ')}`)
    if (o.repositories.length === 0) throw new GatewayError('GW_ERR_BAD_REQUEST', 'a link needs repositories (e.g. tokyo/*,london/*)')
    for (const p of o.repositories) if (!OWNS_PATTERN.test(p)) throw new GatewayError('GW_ERR_BAD_REQUEST', `${JSON.stringify(p)}: a repository pattern is ns/*, ns/** or ns/name`)
    if ((await this.list()).some((l) => l.name === o.name)) throw new GatewayError('GW_ERR_CONFLICT', `a link named ${o.name} exists; recreate it for a new token`)
    const id = randomBytes(8).toString('hex')
    const secret = randomBytes(32).toString('base64url')
    const now = new Date(this.#clock.now()).toISOString()
    const record: LinkRecord = { id, name: o.name, repositories: o.repositories, mode: o.mode, actions: actionsOf(o.mode, o.custom), disabled: false, createdAt: now, updatedAt: now, hash: hashOf(secret) }
    await this.#index.set(linkKey(id), record)
    return { token: reveal(id, secret), info: infoOf(record) }
  }

  async list(): Promise<LinkInfo[]> {
    const out: LinkInfo[] = []
    for await (const [, r] of this.#index.scan<LinkRecord>('link/')) out.push(infoOf(r))
    return out.sort((a, b) => a.name.localeCompare(b.name))
  }

  /** A link by name or id. */
  async find(nameOrId: string): Promise<LinkInfo> {
    const l = (await this.list()).find((x) => x.name === nameOrId || x.id === nameOrId)
    if (!l) throw new GatewayError('GW_ERR_NOT_FOUND', `no link ${JSON.stringify(nameOrId.slice(0, 64))}`)
    return l
  }

  async setDisabled(nameOrId: string, disabled: boolean): Promise<LinkInfo> {
    const info = infoOf(await this.#update(nameOrId, (r) => ({ ...r, disabled })))
    for (const l of this.#changed) l()
    return info
  }

  /** A new token for the same link; the old one stops working at once. */
  async recreate(nameOrId: string): Promise<{ token: string; info: LinkInfo }> {
    const secret = randomBytes(32).toString('base64url')
    const next = await this.#update(nameOrId, (r) => ({ ...r, hash: hashOf(secret) }))
    for (const l of this.#changed) l()
    return { token: reveal(next.id, secret), info: infoOf(next) }
  }

  async #update(nameOrId: string, change: (r: LinkRecord) => LinkRecord): Promise<LinkRecord> {
    const { id } = await this.find(nameOrId)
    for (let attempt = 0; attempt < 50; attempt++) {
      const r = (await this.#index.get<LinkRecord>(linkKey(id)))!
      const next = { ...change(r), updatedAt: new Date(this.#clock.now()).toISOString() }
      if (await this.#index.compareAndSet(linkKey(id), r, [[linkKey(id), next]])) return next
    }
    throw new GatewayError('GW_ERR_CONFLICT', 'too many concurrent changes to this link; try again')
  }

  /** The link whose token `presented` is, if known and enabled; compared in constant time. */
  async verify(presented: string): Promise<LinkInfo | undefined> {
    const parsed = parseKey(presented)
    const record = parsed ? await this.#index.get<LinkRecord>(linkKey(parsed.id)) : undefined
    const ok = constantTimeEqual(record?.hash ?? '0'.repeat(64), hashOf(parsed?.secret ?? presented))
    if (!record || !ok || record.disabled) return undefined
    return infoOf(record)
  }
}

/** Same shape as an issued key (fgk_…), so logs and error bodies scrub tokens by it too. */
function reveal(id: string, secret: string): string {
  return `fgk_${id}_${secret}`
}

function infoOf(r: LinkRecord): LinkInfo {
  const { hash: _hash, ...info } = r
  return info
}
