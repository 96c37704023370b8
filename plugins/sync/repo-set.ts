// The set of synchronized entries (names and `ns/*` patterns): those in the YAML plus those added at
// run time, which are kept in the site's index so they survive restarts.
import { GatewayError } from '../../gateway/errors.ts'
import { REPO_OR_PATTERN } from './options.ts'

/** The part of the site's index this needs (IndexStore from plugins/hub/store). */
export interface KeyValueIndex {
  get<T>(key: string): Promise<T | undefined>
  compareAndSet(guard: string, expected: unknown, entries: [string, unknown][]): Promise<boolean>
}

const ADDED_KEY = 'sync:added'

export class RepoSet {
  #added: string[] = []
  #changes = 0

  constructor(
    private readonly configured: readonly string[],
    private readonly index: KeyValueIndex,
  ) {}

  async load(): Promise<this> {
    this.#setAdded((await this.index.get<string[]>(ADDED_KEY)) ?? [])
    return this
  }

  /** Bumped whenever the entries may have changed: what the status board compares instead of them. */
  get changes(): number {
    return this.#changes
  }

  #setAdded(added: string[]): void {
    this.#added = added
    this.#changes++
  }

  entries(): string[] {
    return [...new Set([...this.configured, ...this.#added])]
  }

  /** Adds an entry; false when it was already there. Throws GW_ERR_BAD_REQUEST on a malformed name. */
  async add(entry: string): Promise<boolean> {
    if (typeof entry !== 'string' || !REPO_OR_PATTERN.test(entry)) throw new GatewayError('GW_ERR_BAD_REQUEST', '"name" must be ns/name or ns/*')
    // Compare-and-set: `fedgate repos add` in another process may add one at the same moment.
    for (let attempt = 0; attempt < 50; attempt++) {
      const stored = await this.index.get<string[]>(ADDED_KEY)
      this.#setAdded(stored ?? [])
      if (this.entries().includes(entry)) return false
      const next = [...this.#added, entry]
      if (await this.index.compareAndSet(ADDED_KEY, stored, [[ADDED_KEY, next]])) {
        this.#setAdded(next)
        return true
      }
    }
    throw new GatewayError('GW_ERR_CONFLICT', 'too many concurrent additions; try again')
  }
}
