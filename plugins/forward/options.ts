import { opt } from '../../gateway/config/options.ts'

export const forwardSpec = opt.obj(
  {
    enabled: opt.bool({ doc: 'Forward requests no other route takes to the root (child sites)', default: true }),
    allowWrites: opt.bool({ doc: 'Let POST, PUT, PATCH and DELETE through, with the client\'s own credentials and never the site\'s key', default: false }),
    passCookies: opt.bool({ doc: 'Pass client cookies to the root on reads (they are stripped by default)', default: false }),
    connections: opt.int({ doc: 'Most keep-alive connections held open to the root', default: 128, min: 1 }),
    timeouts: opt.obj(
      {
        connect: opt.duration({ doc: 'Connecting to the root takes longer than this → 504', default: 2000 }),
        headers: opt.duration({ doc: 'The root sends no response head within this → 504', default: 10_000 }),
        body: opt.duration({ doc: 'The root stalls this long inside a body → the response is cut (0: never)', default: 30_000 }),
        queue: opt.duration({ doc: 'A request waiting this long for one of `connections` to come free → 503 GW_ERR_FORWARD_BUSY (not counted against the root)', default: 10_000 }),
      },
      { doc: 'Upstream time limits for forwarded requests' },
    ),
    cache: opt.obj(
      {
        enabled: opt.bool({ doc: 'Keep cacheable answers to forwarded reads (GET with the site\'s key) and npm packuments of packages not synchronized here, and serve them while the root is down', default: false }),
        dir: opt.path({ doc: 'Folder of the cached answers; default .fedgate/<site name>/forward-cache beside the YAML file; with several workers each keeps worker-<n> below it, of up to diskBytes', optional: true }),
        diskBytes: opt.bytes({ doc: 'Bytes of cached bodies on disk, least recently used out first', default: 1024 * 1024 * 1024 }),
        memoryBytes: opt.bytes({ doc: 'Memory for the most recently used small bodies (each at most an eighth of this, and 4 MiB), also on disk', default: 64 * 1024 * 1024 }),
        maxEntryBytes: opt.bytes({ doc: 'Largest answer kept; a larger one passes through uncached', default: 64 * 1024 * 1024 }),
        lockTimeout: opt.duration({ doc: 'A request waiting this long for the root request another one made for the same entry goes to the root alone, uncached (nginx proxy_cache_lock_timeout)', default: 5000 }),
        defaults: opt.obj(
          {
            maxAge: opt.duration({ doc: 'Freshness of an answer with no Cache-Control max-age/s-maxage and no Expires (0: revalidated at each request while the root is up)', default: 0 }),
            staleIfError: opt.duration({ doc: 'How long past its freshness an answer is served while the root is down or failing, unless its Cache-Control says stale-if-error', default: 24 * 60 * 60 * 1000 }),
            staleWhileRevalidate: opt.duration({ doc: 'How long past its freshness an answer is served at once while it is refreshed in the background, unless its Cache-Control says stale-while-revalidate', default: 0 }),
          },
          { doc: 'What an answer gets when the root says nothing about it' },
        ),
      },
      { doc: 'The pull-through cache of forwarded reads (RFC 9111; docs/lifecycle.md, "Forwarding")' },
    ),
  },
  { doc: 'Forwarding to the root with the site\'s low-privilege key' },
)
