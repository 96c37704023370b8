// With forward.allowWrites true and npm.allowWrites false, the npm write refusal knew a publish only as
// npm spells it: a client that is not npm could PUT `/left-pad/` (trailing slash) with its own
// credentials, and Verdaccio, whose routes take one trailing slash, decode each parameter and match
// case-insensitively, published it. Now every spelling of a package path Verdaccio routes as a write
// (publish, unpublish, dist-tag, tarball upload and removal: trailing slash, escaped characters, `%40`,
// `%2f`/`%2F` in scoped names, `-rev/…`, `-/…`) is refused, whoever sends it, and none reaches the root.
import t from 'tap'
import fc from 'fast-check'
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { request } from 'undici'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { holds } from './helpers/fuzz.ts'
import { startNpmStack } from './helpers/npm-stack.ts'
import { connectTls, sendRaw } from './helpers/raw-http.ts'
import { fetchText, tempDir } from './helpers/sites.ts'

const NOT_NPM = 'curl/8.5.0'

/** What npm publish sends: the manifest with the new version and its tarball attached. */
function publishBody(name: string, version: string): string {
  const tgz = gzipSync(Buffer.from(`${name}@${version}`))
  const file = `${name.replace(/^@.*\//, '')}-${version}.tgz`
  const dist = { tarball: `http://localhost/${name}/-/${file}`, shasum: createHash('sha1').update(tgz).digest('hex'), integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}` }
  return JSON.stringify({
    _id: name,
    name,
    'dist-tags': { latest: version },
    versions: { [version]: { _id: `${name}@${version}`, name, version, dist } },
    _attachments: { [file]: { content_type: 'application/octet-stream', data: tgz.toString('base64'), length: tgz.length } },
  })
}

t.test("another client's publish to a Verdaccio root with a trailing slash is refused", async (t) => {
  const stack = await startNpmStack(t, tempDir(t), { packages: ['left-pad'], extra: 'forward:\n  allowWrites: true\n' })
  const atRoot = async () => {
    const res = await request(`${stack.root.url}left-pad`, { headers: { authorization: `Bearer ${stack.root.token}`, accept: 'application/json' } })
    return Object.keys(((await res.body.json()) as { versions: Record<string, unknown> }).versions)
  }
  const before = await atRoot()
  for (const path of ['/left-pad/', '/left-pad/-rev/1-abc/', '/Left-Pad/', '/left%2dpad/']) {
    const r = await fetchText(stack.child, path, {
      method: 'PUT',
      headers: { authorization: `Bearer ${stack.root.token}`, 'content-type': 'application/json', 'user-agent': NOT_NPM },
      body: publishBody('left-pad', '9.9.9'),
    })
    t.equal(r.status, 405, `PUT ${path} is refused`)
    t.match(r.body, /npm\.allowWrites is false/, 'naming the setting')
  }
  t.same(await atRoot(), before, 'the root published nothing')
})

/** Names Verdaccio takes as a package parameter (its validateName), but none of the site's own paths. */
const NAME_FIRST = [...'abzAZ09', '_', '~', '!', '*', "'", '(', ')', '-']
const NAME_REST = [...NAME_FIRST, '.']
const part = fc.tuple(fc.constantFrom(...NAME_FIRST), fc.array(fc.constantFrom(...NAME_REST), { maxLength: 8 })).map(([a, b]) => a + b.join(''))
const OWN = new Set(['-', 'api', 'admin', 'health', 'metrics'])
const packageName = fc.oneof(
  part.filter((p) => !OWN.has(p.toLowerCase())),
  fc.tuple(part, part).map(([s, n]) => `@${s}/${n}`),
)

/** Each character as it is or percent-encoded (either case of hex), as Express decodes a parameter. */
const spelt = (s: string) =>
  fc.array(fc.constantFrom('as is', 'upper', 'lower'), { minLength: s.length, maxLength: s.length }).map((how) =>
    [...s]
      .map((c, i) => {
        const hex = c.charCodeAt(0).toString(16).padStart(2, '0')
        return how[i] === 'as is' ? c : `%${how[i] === 'upper' ? hex.toUpperCase() : hex}`
      })
      .join(''),
  )

/** A package name as a path part: its characters spelt, the scope's `@` maybe `%40`, its slash `/`, `%2f` or `%2F`. */
const packagePart = (name: string) => {
  const m = /^@([^/]+)\/(.+)$/.exec(name)
  if (!m) return spelt(name)
  return fc.tuple(fc.constantFrom('@', '%40'), spelt(m[1]!), fc.constantFrom('/', '%2f', '%2F'), spelt(m[2]!)).map((p) => p.join(''))
}

/** Verdaccio 6's write routes (api/endpoint/api/publish.js, dist-tags.js) with P the package. */
const ROUTES: [method: string, path: string][] = [
  ['PUT', '/P'],
  ['PUT', '/P/-rev/3-abc'],
  ['PUT', '/P/beta'],
  ['PUT', '/P/-/p-1.0.0.tgz/-rev/3-abc'],
  ['PUT', '/P/1.0.0/-tag/beta'],
  ['DELETE', '/P/-rev/3-abc'],
  ['DELETE', '/P/-/p-1.0.0.tgz/-rev/3-abc'],
  ['PUT', '/-/package/P/dist-tags/beta'],
  ['DELETE', '/-/package/P/dist-tags/beta'],
  ['POST', '/-/package/P/dist-tags/beta'],
  ['POST', '/-/package/P/dist-tags'],
]

t.test('every spelling of a package write Verdaccio routes is refused and never reaches the root', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'spellings', { extra: 'forward: { allowWrites: true }\n', clock: t.clock })
  const socket = await connectTls(t, site.gw.httpsPort, site.ca)
  const route = fc.constantFrom(...ROUTES)
  const statuses = new Map<number, number>()
  const target = fc
    .tuple(packageName.chain(packagePart), route, fc.boolean())
    .map(([pkg, [method, path], slash]) => ({ method, target: path.replace('P', pkg) + (slash ? '/' : '') }))
  await holds(
    t,
    'refused (405 writes disabled, or 400 for a path the request guard takes as malformed), the root asked nothing',
    fc.asyncProperty(target, async ({ method, target }) => {
      const seen = origin.seen.length
      const res = await sendRaw(socket, `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ${NOT_NPM}\r\nAuthorization: Bearer client-token\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`)
      if (res === 'closed') return false
      // npm routes answer `{error: text, code}`, the core `{error: {code, message}}`.
      const body = JSON.parse(res.body) as { code?: string; error?: { code?: string } }
      const code = body.code ?? body.error?.code
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      return ((res.status === 405 && code === 'GW_ERR_WRITES_DISABLED') || (res.status === 400 && code === 'GW_ERR_BAD_PATH')) && origin.seen.length === seen
    }),
    300,
  )
  t.comment(`answers by status: ${JSON.stringify(Object.fromEntries(statuses))}`)
  t.ok((statuses.get(405) ?? 0) > 100, 'most reached the npm write refusal, past the request guard')
  t.same(origin.seen, [], 'the root saw no request')
})
