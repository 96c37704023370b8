// The requests a registry root takes as a write to a package (publish, unpublish, dist-tag, tarball
// upload and removal), however a client spells them, modelled on Verdaccio 6's routes
// (api/endpoint/api/publish.js, dist-tags.js): Express matches a route case-insensitively, with or without
// one trailing slash, decodes each parameter, and Verdaccio joins `@scope/name` into one
// (encodeScopePackage). So `/left-pad/`, `/Left%2Dpad`, `/%40acme/util/beta` and `/@acme%2Futil/-rev/1`
// all name a package. Checked on the decoded path: a literal segment Verdaccio would match only as sent
// (`-rev`) is taken decoded too, so this is a little wider than Verdaccio, never narrower.

/** Verdaccio's validateName: what its `:package` parameter takes as a name, or as a scope after `@`. */
const NAME = /^[-a-zA-Z0-9_.!~*'()@]+$/
const NOT_NAMES = new Set(['node_modules', '__proto__', 'favicon.ico'])
const isName = (n: string) => NAME.test(n) && !n.startsWith('.') && !NOT_NAMES.has(n.toLowerCase())

/** Verdaccio's validatePackage: `name`, or `@scope/name` with both parts names. */
function isPackage(p: string): boolean {
  const slash = p.indexOf('/')
  if (slash === -1) return isName(p)
  return p.startsWith('@') && isName(p.slice(1, slash)) && isName(p.slice(slash + 1))
}

/**
 * Would the root route `method` on the decoded `path` as a write to a package: PUT `/pkg` (publish),
 * `/pkg/:tag` (dist-tag), `/pkg/-rev/:rev` (publish), `/pkg/-/:file/*` (tarball upload),
 * `/pkg/:version/-tag/:tag`; DELETE `/pkg/-rev/*` (unpublish), `/pkg/-/:file/-rev/:rev` (tarball
 * removal)? Verdaccio's POSTs and its dist-tag routes are all under `/-/`, which the caller refuses whole.
 */
export function isPackageWrite(method: string, path: string): boolean {
  if (method !== 'PUT' && method !== 'DELETE') return false
  const parts = path.slice(1).split('/')
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop()
  let pkg = parts.shift()!
  if (pkg.startsWith('@') && parts.length > 0) pkg += '/' + parts.shift()
  if (!isPackage(pkg)) return false
  const [first, second] = parts.map((p) => p.toLowerCase())
  return parts.length <= 1 || first === '-rev' || first === '-' || second === '-tag'
}
