// The child's sync options: which repositories are synchronized, and how often and how hard.
import { opt } from '../../gateway/config/options.ts'

/** `ns/name` or `ns/*`: the same name rules as docs/protocol.md, with `*` allowed as the name. */
export const REPO_OR_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}\/(\*|[a-z0-9][a-z0-9._-]{0,63})$/

export const repositoriesSpec = opt.list(
  opt.string({ doc: 'A repository `ns/name`, or every repository of a namespace `ns/*`', pattern: REPO_OR_PATTERN, patternText: 'ns/name or ns/*' }),
  { doc: 'Repositories this child synchronizes from its root and serves locally (more can be added at run time)' },
)

/** Backoff for failed syncs of one `what` (repository, package): the same shape and defaults wherever a sync retries. */
export function retrySpec(what: string) {
  return opt.obj(
    {
      initial: opt.duration({ doc: `First wait before retrying a failed ${what} sync; doubles each failure`, default: 1000, min: '100ms' }),
      max: opt.duration({ doc: `Longest wait between retries of a failing ${what}`, default: 60_000, min: '100ms' }),
    },
    { doc: `Backoff for failed ${what} syncs` },
  )
}

export const syncSpec = opt.obj(
  {
    interval: opt.duration({ doc: 'Time between two sync rounds over every synchronized repository (as ProGet): how changes arrive while the change stream is down, and its safety net while it is up', default: 60_000, min: '100ms' }),
    concurrency: opt.int({ doc: 'Blob downloads in flight at once, over every repository', default: 4, min: 1, max: 64 }),
    repoConcurrency: opt.int({ doc: 'Repositories synchronized at once', default: 2, min: 1, max: 64 }),
    retry: retrySpec('repository'),
    requestTimeout: opt.duration({ doc: 'An upstream metadata request (repository, change feed) slower than this fails', default: 30_000 }),
    blobIdleTimeout: opt.duration({ doc: 'A blob download that receives nothing for this long is cut and resumed later', default: 30_000 }),
    stream: opt.obj(
      {
        enabled: opt.bool({ doc: "Subscribe to the upstream's change stream and sync each announced commit at once; rounds at `interval` go on as the fallback", default: true }),
        reconnect: opt.obj(
          {
            initial: opt.duration({ doc: 'First wait before reconnecting a dropped stream; doubles each failed attempt, with jitter', default: 1000, min: '100ms' }),
            max: opt.duration({ doc: 'Longest wait between reconnect attempts', default: 30_000, min: '100ms' }),
          },
          { doc: 'Reconnecting with exponential backoff (as CLASP)' },
        ),
      },
      { doc: 'Live replication: the upstream announces commits over a WebSocket (docs/sync.md)' },
    ),
    lease: opt.duration({ doc: 'Of the processes sharing this site\'s index and blob folder (workers, nodes), one syncs, under a lease in the index renewed every third of this; when it dies another takes over within this time', default: 15_000, min: '1s' }),
    collect: opt.bool({ doc: 'Remove blobs no snapshot references once older than store.collect.grace (a publish in another process may be about to commit a younger one): after each commit, when a blob spared comes of age, and at least every grace', default: true }),
    partialMaxAge: opt.duration({ doc: 'With collect: a partial download untouched this long, of a blob no running sync needs, is removed (it waits that long for its Range resume); with a Redis index, unreferenced blobs younger than this are kept too (another node may be about to commit them)', default: 86_400_000 }),
  },
  { doc: 'How a child synchronizes its repositories from the root' },
)
