// The npm plugin's YAML section: which packages are synchronized, how many versions, how often,
// and whether npm writes (publish, unpublish, dist-tag) may pass through to the root.
import { opt, type Infer } from '../../gateway/config/options.ts'
import { PACKAGE_OR_SCOPE } from './names.ts'
import { retrySpec } from '../sync/options.ts'

export const DEFAULT_MAX_PACKUMENT_BYTES = 64 * 1024 * 1024

export const npmSpec = opt.obj(
  {
    enabled: opt.bool({ doc: 'Serve the npm registry protocol at this child (packuments, tarballs, dist-tags)', default: true }),
    packages: opt.list(
      opt.string({ doc: 'A package (`left-pad`, `@acme/util`) or every package of a scope (`@acme/*`)', pattern: PACKAGE_OR_SCOPE, patternText: 'an npm package name or @scope/*' }),
      { doc: 'Packages synchronized from the root and served from this site\'s store, also while the root is down' },
    ),
    versions: opt.string({ doc: 'Versions kept of each synchronized package: all, or `newest N` by publish time', default: 'all', pattern: /^(all|newest [1-9][0-9]{0,4})$/, patternText: 'all or newest N' }),
    interval: opt.duration({ doc: 'Time between two sync rounds over every synchronized package', default: 60_000, min: '100ms' }),
    concurrency: opt.int({ doc: 'Tarball downloads in flight at once, over every package', default: 8, min: 1, max: 64 }),
    packageConcurrency: opt.int({ doc: 'Packages synchronized at once', default: 4, min: 1, max: 64 }),
    retry: retrySpec('package'),
    requestTimeout: opt.duration({ doc: 'A packument or tarball request to the root slower than this fails', default: 30_000 }),
    clientHeadersTimeout: opt.duration({ doc: 'An npm client\'s packument that is not synchronized here fails (424, which npm does not retry) when the root sends no answer head within this', default: 5000 }),
    maxTarballBytes: opt.bytes({ doc: 'Largest tarball a sync accepts', default: 256 * 1024 * 1024 }),
    maxPackumentBytes: opt.bytes({ doc: 'Largest packument read from the root (sync or proxied); a bigger one is cut off and answered 502', default: DEFAULT_MAX_PACKUMENT_BYTES }),
    proxy: opt.obj(
      {
        concurrency: opt.int({ doc: 'Packuments of packages not synchronized here fetched from the root at once, each on its own connection (concurrent requests for one package share one fetch)', default: 8, min: 1, max: 256 }),
        maxBytes: opt.bytes({ doc: 'Bytes of such packuments held at once, being fetched or sent, over every request (one larger packument still passes alone)', default: 256 * 1024 * 1024 }),
        wait: opt.duration({ doc: 'A request over these bounds waits this long for its turn, then is answered 503 with Retry-After', default: 10_000 }),
      },
      { doc: 'Bounds on the work of packuments fetched from the root for clients (packages not synchronized here)' },
    ),
    allowWrites: opt.bool({ doc: 'Let npm writes (publish, unpublish, dist-tag, deprecate, login, access) through to the root (forward.allowWrites must also be true)', default: false }),
  },
  { doc: 'The npm registry protocol: a real npm registry (e.g. Verdaccio) as the root, the npm client in front', optional: true },
)

export type NpmOptions = Infer<typeof npmSpec>

/** How many versions `versions` keeps; undefined: all. */
export function newestCount(versions: string): number | undefined {
  const m = /^newest (\d+)$/.exec(versions)
  return m ? Number(m[1]) : undefined
}
