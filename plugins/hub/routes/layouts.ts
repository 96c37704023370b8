// Extra path layouts for the hub's read routes, declared in YAML (`hub.layouts`), so a client built for
// another hub's URL shape (turbo's `--hub`, say) can be pointed at this gateway. A layout maps paths
// only: the answers stay fedgate's own hub API (docs/protocol.md).
import { opt } from '../../../gateway/config/options.ts'
import { isRepoName, isTag, IMAGE_ID } from '../names.ts'
import type { HubPath } from './paths.ts'

const TEMPLATE = /^\/[A-Za-z0-9._~\-/{}:@]*$/

export const layoutSpec = opt.obj(
  {
    name: opt.string({ doc: 'Name of the layout, for logs' }),
    repo: opt.string({ doc: 'Path template of a repository\'s info, with {ns} and {name}', pattern: TEMPLATE, patternText: 'a path template', optional: true }),
    image: opt.string({ doc: 'Path template of an image\'s metadata, with {ns}, {name} and {ref} (a tag or sha256:<hex>)', pattern: TEMPLATE, patternText: 'a path template', optional: true }),
    content: opt.string({ doc: 'Path template of an image\'s bytes, with {ns}, {name} and {ref}', pattern: TEMPLATE, patternText: 'a path template', optional: true }),
    blob: opt.string({ doc: 'Path template of a blob by digest, with {id} (64 hex digits)', pattern: TEMPLATE, patternText: 'a path template', optional: true }),
  },
  { doc: 'One extra path layout for the hub\'s read routes' },
)

type Layout = { name: string; repo?: string; image?: string; content?: string; blob?: string }
/** A path a layout named: `layout` is its name. Layouts are read routes, never publish or delete. */
export type LayoutPath = HubPath & { readonly layout: string }
type Matcher = (path: string) => LayoutPath | undefined

/** Compiles the layouts into one parser; undefined when the path is none of theirs. */
export function compileLayouts(layouts: readonly Layout[]): Matcher {
  const matchers: Matcher[] = []
  for (const l of layouts) {
    // Most specific first: a blob path could also read as a repository (ns=blobs).
    for (const kind of ['blob', 'content', 'image', 'repo'] as const) {
      const template = l[kind]
      if (!template) continue
      const names: string[] = []
      const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(ns|name|ref|id)\}/g, (_m, n: string) => {
        names.push(n)
        return n === 'ref' ? '([A-Za-z0-9._:-]+)' : '([^/]+)'
      })
      const re = new RegExp(`^${source}$`)
      matchers.push((path) => {
        const m = re.exec(path)
        if (!m) return undefined
        const v = Object.fromEntries(names.map((n, i) => [n, m[i + 1]!]))
        if (kind === 'blob') return IMAGE_ID.test(v.id ?? '') ? { kind: 'blob', id: v.id!, layout: l.name } : undefined
        const repo = `${v.ns}/${v.name}`
        if (!isRepoName(repo)) return undefined
        if (kind === 'repo') return { kind: 'repo', repo, layout: l.name }
        const ref = v.ref ?? 'latest'
        if (!isTag(ref) && !(ref.startsWith('sha256:') && IMAGE_ID.test(ref.slice(7)))) return undefined
        return { kind, repo, ref, layout: l.name }
      })
    }
  }
  return (path) => {
    for (const m of matchers) {
      const p = m(path)
      if (p) return p
    }
    return undefined
  }
}
