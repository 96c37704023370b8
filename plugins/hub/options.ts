// The hub plugin's YAML sections: where the store lives, and how the hub API is served.
import { opt, type Infer } from '../../gateway/config/options.ts'
import { layoutSpec } from './routes/layouts.ts'

export const storeSpec = opt.obj(
  {
    dir: opt.path({ doc: 'Folder for blobs and the embedded index; default .fedgate/<site name>/store beside the YAML file', optional: true }),
    index: opt.string({ doc: 'Where the index lives: embedded (lmdb on local disk, crash-safe) or redis://host:port[/db] for several nodes at one site', default: 'embedded', pattern: /^(embedded|rediss?:\/\/.+)$/, patternText: 'embedded or redis://host:port' }),
    hotBytes: opt.bytes({ doc: 'Memory for the hot tier: hot repository states and small blobs (lru-cache, bounded by bytes)', default: 64 * 1024 * 1024 }),
    hotBlobMax: opt.bytes({ doc: 'Blobs up to this size are kept in the hot tier once read', default: 256 * 1024 }),
    changeLogKeep: opt.int({ doc: 'Change-log entries kept; a child further behind gets 410 and fetches its repositories whole', default: 100_000, min: 1 }),
    refresh: opt.duration({ doc: 'How often commits by other processes (fedgate publish, other nodes on one Redis) are picked up', default: 1000, min: '100ms' }),
    collect: opt.obj(
      {
        enabled: opt.bool({ doc: 'Remove blobs no snapshot references and the change log no longer names (overwritten and deleted tags\' bytes) every interval. Default: true at a root; false at a child, whose sync leader collects instead, with the same grace (sync.collect)', optional: true }),
        interval: opt.duration({ doc: 'Time between two collections', default: 10 * 60_000, min: '100ms' }),
        grace: opt.duration({ doc: 'Unreferenced blobs stored (or released: a dismissed ownership conflict) more recently than this are kept, here and by a child\'s sync collection: a publish in another process (a worker, a node, fedgate publish), whose pins this process cannot see, may be about to commit one', default: 60 * 60_000, min: '10m' }),
      },
      { doc: 'Removing blobs that no snapshot references, at the sites that publish' },
    ),
  },
  { doc: 'The repository store: content-addressed blobs on disk, an index, a hot tier in memory' },
)

export const hubSpec = opt.obj(
  {
    enabled: opt.bool({ doc: 'Serve the hub API (docs/protocol.md) from this site\'s store', default: true }),
    readsNeedKey: opt.bool({ doc: 'Do repository reads need a key? Default: true at a root, false at a child (its users can read through forwarding anyway)', optional: true }),
    maxUploadBytes: opt.bytes({ doc: 'Largest image accepted by a publish (PUT)', default: 16 * 1024 * 1024 * 1024 }),
    changesLimit: opt.int({ doc: 'Most changes in one change-feed answer (the answer says more: true when cut)', default: 1000, min: 1, max: 100_000 }),
    stream: opt.obj(
      {
        enabled: opt.bool({ doc: 'Announce each commit to subscribers over a WebSocket (/api/v1/federation/stream), so children sync at once', default: true }),
        heartbeat: opt.duration({ doc: 'Ping interval; a subscriber that has not answered the previous ping by the next one is dropped (it catches up by revision later)', default: 15_000, min: '100ms' }),
        maxQueueBytes: opt.bytes({ doc: 'Announcements queued for one subscriber beyond which it is dropped, so a slow one never holds memory or slows the others', default: 64 * 1024 }),
        maxSubscribers: opt.int({ doc: 'Subscribers at once; more are refused with 503 and poll instead', default: 10_000, min: 1 }),
      },
      { doc: 'The change stream (docs/protocol.md): live announcements of commits for children and middle sites' },
    ),
    layouts: opt.list(layoutSpec, { doc: 'Extra path layouts for the read routes, so clients of another hub (turbo --hub) find repositories and blobs here' }),
  },
  { doc: 'The hub API (/api/v1): repositories, blobs, publish, change feed, keys' },
)

export type StoreOptions = Infer<typeof storeSpec>
export type HubOptions = Infer<typeof hubSpec>
