// What the hub's route handlers share.
import type { Clock } from '../../../gateway/util/clock.ts'
import type { Authorize } from '../auth.ts'
import type { KeyRing } from '../keys.ts'
import type { Ownership } from '../ownership.ts'
import type { HubOptions } from '../options.ts'
import type { FileBlobStore } from '../store/blob-store.ts'
import { STORE_HEADER } from '../store/store-id.ts'
import type { IndexedRepositoryStore } from '../store/repository-store.ts'
import type { BlobResponder } from './blob-response.ts'

export interface HubDeps {
  repos: IndexedRepositoryStore
  blobs: FileBlobStore
  responder: BlobResponder
  keys: KeyRing
  authorize: Authorize
  options: HubOptions & { readsNeedKey: boolean }
  clock: Clock
  ownership: Ownership
}

/** On every answer that carries a revision: which store's numbering it is in (store/store-id.ts). */
export function revisionHeaders(d: HubDeps): Record<string, string> {
  return { [STORE_HEADER]: d.repos.storeId }
}
