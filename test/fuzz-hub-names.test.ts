// Property: any string given to the hub's name and reference parsers is either refused with a 400
// naming the rule, or parsed into a repository (namespace/name), a tag or an image id that obeys the
// rules of docs/protocol.md ("Names") and round-trips: written back and parsed again, it is accepted
// and equal. Any path under /api/v1 is likewise unknown, invalid (with its rule) or names well-formed
// parts that rebuild the path. Then, at a real root, random names get 400 when bad and 404 when good.
import t from 'tap'
import fc from 'fast-check'
import { GatewayError } from '../gateway/errors.ts'
import { namespaceMatches, parseReference, REPO_NAME_RULE, TAG_RULE } from '../plugins/hub/names.ts'
import { parseHubPath } from '../plugins/hub/routes/paths.ts'
import { bearer, startRoot } from './helpers/hub.ts'
import { fetchText } from './helpers/sites.ts'
import { biased, holds } from './helpers/fuzz.ts'

// The rules as docs/protocol.md states them, independent of the code under test.
const PART_RULE = /^[a-z0-9][a-z0-9._-]{0,63}$/
const TAG_RULE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
const ID_RULE = /^[0-9a-f]{64}$/
const goodRepo = (repo: string) => repo.split('/').length === 2 && repo.split('/').every((p) => PART_RULE.test(p))
const goodRef = (ref: string) => TAG_RULE_RE.test(ref) || (ref.startsWith('sha256:') && ID_RULE.test(ref.slice(7)))

const HEX = 'a'.repeat(32) + '0123456789abcdef'.repeat(2)
const PIECES = ['acme', 'app', 'a', '0', '-', '_', '.', '..', '/', '/', ':', '#', 'App', 'latest', '1.0', 'sha256:', HEX, 'A'.repeat(64), ' ', '%2f', '\\', '@', 'é', 'x'.repeat(60), '\u0000']
const pieces = biased(PIECES, 8)
// Mostly names that nearly follow the rules, so that both sides of each rule are tried.
const part = fc.oneof({ weight: 3, arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,8}$/) }, { weight: 1, arbitrary: fc.stringMatching(/^[a-zA-Z0-9._-]{0,4}$/) }, { weight: 1, arbitrary: pieces })
const tagish = fc.oneof({ weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,8}$/) }, { weight: 1, arbitrary: pieces })
const idish = fc.oneof(fc.constant(HEX), fc.stringMatching(/^[0-9a-f]{64}$/), fc.stringMatching(/^[0-9a-fA-F]{63,65}$/), pieces)

/** A reference as hub clients write it. */
const format = (r: { repo: string; tag?: string; id?: string }) => (r.id !== undefined ? `${r.repo}#${r.id}` : `${r.repo}:${r.tag}`)

function refusedWithRule(e: unknown): boolean {
  if (!(e instanceof GatewayError) || e.status !== 400 || e.code !== 'GW_ERR_BAD_REQUEST') throw new Error(`not a 400 GW_ERR_BAD_REQUEST: ${e}`)
  if (!/a repository is|a tag is|an image id is/.test(e.message)) throw new Error(`no rule in ${e.message}`)
  return true
}

function wellFormedRepo(repo: string): void {
  if (!goodRepo(repo)) throw new Error(`repository ${JSON.stringify(repo)}`)
}

let parsedRefs = 0
function referenceRoundTrips(ref: string): boolean {
  let r: ReturnType<typeof parseReference>
  try {
    r = parseReference(ref)
  } catch (e) {
    return refusedWithRule(e)
  }
  parsedRefs++
  wellFormedRepo(r.repo)
  if (r.id !== undefined ? !ID_RULE.test(r.id) || r.tag !== undefined : !TAG_RULE_RE.test(r.tag ?? '')) throw new Error(`parsed into ${JSON.stringify(r)}`)
  const again = parseReference(format(r))
  if (JSON.stringify(again) !== JSON.stringify(r)) throw new Error(`${format(r)} parses into ${JSON.stringify(again)}, not ${JSON.stringify(r)}`)
  // What was written with a tag or an id is written back the same; a bare name means `latest`.
  if (format(r) !== (/[:#]/.test(ref) ? ref : `${ref}:latest`)) throw new Error(`${ref} written back as ${format(r)}`)
  return true
}

const references = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(part, part, fc.oneof(fc.constant(''), tagish.map((x) => `:${x}`), idish.map((x) => `#${x}`))).map(([ns, name, rest]) => `${ns}/${name}${rest}`) },
  { weight: 1, arbitrary: fc.tuple(pieces, fc.constantFrom('/', ':', '#', ''), pieces, fc.constantFrom(':', '#', ''), pieces).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.string() },
)

/** A parsed hub path, written back as the path it came from. */
function rebuild(p: NonNullable<ReturnType<typeof parseHubPath>>): string | undefined {
  switch (p.kind) {
    case 'repo':
      return `/api/v1/repos/${p.repo}`
    case 'image':
      return `/api/v1/repos/${p.repo}/images/${p.ref}`
    case 'content':
      return `/api/v1/repos/${p.repo}/images/${p.ref}/content`
    case 'tag':
      return `/api/v1/repos/${p.repo}/tags/${p.tag}`
    case 'blob':
      return `/api/v1/blobs/sha256:${p.id}`
    default:
      return undefined
  }
}

function pathUnknownInvalidOrRebuilt(path: string): boolean {
  const p = parseHubPath(path, '/api/v1')
  if (p === undefined) return true
  if (p.kind === 'invalid') {
    if (!p.rule.startsWith(REPO_NAME_RULE) && !p.rule.startsWith(TAG_RULE)) throw new Error(`rule ${p.rule}`)
    return true
  }
  if ('repo' in p) wellFormedRepo(p.repo)
  if ('ref' in p && !goodRef(p.ref)) throw new Error(`ref ${p.ref}`)
  if (p.kind === 'tag' && !TAG_RULE_RE.test(p.tag)) throw new Error(`tag ${p.tag}`)
  if (p.kind === 'blob' && !ID_RULE.test(p.id)) throw new Error(`id ${p.id}`)
  const back = rebuild(p)
  if (back !== undefined && back !== path) throw new Error(`${path} rebuilt as ${back}`)
  return true
}

const hubPaths = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(part, part, fc.oneof(fc.constant(''), fc.constantFrom('/images/', '/tags/').chain((k) => fc.oneof(tagish, idish.map((x) => `sha256:${x}`)).map((r) => k + r))), fc.constantFrom('', '/content', '/x'))
      .map(([ns, name, rest, tail]) => `/api/v1/repos/${ns}/${name}${rest}${rest ? tail : ''}`),
  },
  { weight: 1, arbitrary: idish.map((x) => `/api/v1/blobs/sha256:${x}`) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('/api/v1/repos/', '/api/v1/blobs/sha256:', '/api/v1/federation/', '/api/v1/admin/keys/', '/api/v1/', '/api/v1x/'),
        biased([...PIECES, 'images', 'tags', 'content', 'changes', 'repos', 'disable', '/images/', '/tags/', '/content'], 10),
      )
      .map(([prefix, rest]) => prefix + rest),
  },
)

t.test('names, references and hub paths are refused with their rule or round-trip', async (t) => {
  await holds(t, 'references (ns/name, ns/name:tag, ns/name#id)', fc.property(references, referenceRoundTrips), 10_000)
  t.ok(parsedRefs > 500, `${parsedRefs} references were well-formed and round-tripped, the rest refused`)
  await holds(t, 'hub paths', fc.property(hubPaths, pathUnknownInvalidOrRebuilt), 10_000)
  await holds(
    t,
    'a key pattern covers exactly its own namespace',
    fc.property(fc.oneof(part.map((ns) => `${ns}/*`), part.map((ns) => `${ns}*`), fc.constant('*'), fc.tuple(part, part).map(([a, b]) => `${a}/${b}`), pieces), fc.tuple(part, part).map(([a, b]) => `${a}/${b}`).filter(goodRepo), (pattern, name) => {
      const ns = name.split('/')[0]
      const expected = pattern === '*' || pattern === name || (pattern.endsWith('/*') && pattern.slice(0, -2) === ns)
      if (namespaceMatches(pattern, name) !== expected) throw new Error(`${pattern} ${expected ? 'does not cover' : 'covers'} ${name}`)
      return true
    }),
    5_000,
  )
})

t.test('at a root, a bad name or tag gets 400 with its rule and a good one 404', async (t) => {
  const root = await startRoot(t)
  const read = bearer(root.read)
  let goodNames = 0
  // One path segment each: no slash, and nothing the URL would end at or the guard refuses for its own reasons.
  const segment = fc.oneof(part, tagish).filter((s) => !/[/\\\u0000%#]/.test(s) && s !== '' && s !== '.' && s !== '..')
  await holds(
    t,
    'GET /api/v1/repos/{ns}/{name}[/images/{tag}] over TLS',
    fc.asyncProperty(segment, segment, fc.option(segment), async (ns, name, tag) => {
      const path = `/api/v1/repos/${encodeURIComponent(ns)}/${encodeURIComponent(name)}${tag === null ? '' : `/images/${encodeURIComponent(tag)}`}`
      const r = await fetchText(root, path, { headers: read })
      const good = goodRepo(`${ns}/${name}`) && (tag === null || goodRef(tag))
      const error = JSON.parse(r.body).error as { code: string; message: string }
      if (good) goodNames++
      if (good && (r.status !== 404 || error.code !== 'GW_ERR_NOT_FOUND')) throw new Error(`${path}: ${r.status} ${r.body}`)
      // The guard may refuse first (a backslash, say): still a 400, for the path instead of the rule.
      const ruled = error.code === 'GW_ERR_BAD_REQUEST' && /a repository is|a tag is/.test(error.message)
      if (!good && (r.status !== 400 || !(ruled || error.code === 'GW_ERR_BAD_PATH'))) throw new Error(`${path}: ${r.status} ${r.body}`)
      return true
    }),
    150,
  )
  t.ok(goodNames > 15, `${goodNames} of 150 were good names`)
})
