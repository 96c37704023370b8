// Opens a site's stores from its config: used by the hub plugin and by the offline CLI commands, which
// may run while the site runs (lmdb is safe across processes; Redis is shared by design).
import { dirname, resolve } from 'node:path'
import type { SiteConfig } from '../../../gateway/config/load.ts'
import { section } from '../../../gateway/plugin-api.ts'
import { systemClock, type Clock } from '../../../gateway/util/clock.ts'
import { storeSpec, type StoreOptions } from '../options.ts'
import { FileBlobStore } from './blob-store.ts'
import { IndexStore } from './index.ts'
import { IndexedRepositoryStore } from './repository-store.ts'

export interface Stores {
  blobStore: FileBlobStore
  index: IndexStore
  repositoryStore: IndexedRepositoryStore
  options: StoreOptions & { dir: string }
  close(): Promise<void>
}

export function storeDir(config: SiteConfig): string {
  return section(config, 'store', storeSpec).dir ?? resolve(dirname(config.file), '.fedgate', config.site.name, 'store')
}

export async function openStores(config: SiteConfig, o: { clock?: Clock; follow?: boolean } = {}): Promise<Stores> {
  const options = { ...section(config, 'store', storeSpec), dir: storeDir(config) }
  const blobStore = await new FileBlobStore(options.dir).open()
  const index = await IndexStore.open(options.index, { dir: options.dir, prefix: `fedgate:${config.site.name}:` })
  const repositoryStore = new IndexedRepositoryStore(index, blobStore, {
    changeLogKeep: options.changeLogKeep,
    // Half the hot tier for index entries, half for small blobs.
    hotBytes: Math.floor(options.hotBytes / 2),
    refreshInterval: o.follow === false ? 0 : options.refresh,
    clock: o.clock ?? systemClock,
    site: config.site.name,
  })
  try {
    await repositoryStore.open()
  } catch (err) {
    await index.close()
    throw err
  }
  return {
    blobStore,
    index,
    repositoryStore,
    options,
    async close() {
      repositoryStore.close()
      await index.close()
    },
  }
}
