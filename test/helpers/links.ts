// Sites joined by links (docs/federation.md): YAML for a site that owns namespaces and connects out
// over `links:`, link tokens made at the incoming side, and one exchange run on demand.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfigFile } from '../../gateway/config/load.ts'
import { systemClock, type Clock } from '../../gateway/util/clock.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import { KeyRing as KeyRingClass, type KeyRing } from '../../plugins/hub/keys.ts'
import { LinkRing as LinkRingClass, type LinkMode, type LinkRing } from '../../plugins/hub/links.ts'
import { openStores } from '../../plugins/hub/store/open.ts'
import type { LinkEngine } from '../../plugins/federation/link-engine.ts'
import { LINK_PREFIX } from '../../plugins/federation/wire.ts'
import type { LinkStatus, LinkView } from '../../plugins/federation/status.ts'
import type { FileBlobStore } from '../../plugins/hub/store/blob-store.ts'
import { sha256 } from './stores.ts'
import { adminKeyOf, bearer, publish } from './hub.ts'
import { fetchText, startOrigin, startSite, tempDir, writeSecret, type Origin, type TestLike, type TestSite } from './sites.ts'

export interface OutLink {
  name: string
  url: string
  token: string
  mode: LinkMode
  repositories: string[]
  /** Extra YAML fields (custom actions), `key: value` lines. */
  extra?: string
  interval?: string
}

export function linkedYaml(name: string, o: { owns?: string[]; role?: 'root' | 'child'; links?: OutLink[]; dir: string; extra?: string; /** A line per request in the log (off by default: exchanges are many). */ requestLog?: boolean; /** More fields of the `hub` mapping (`changesLimit: 2`). */ hub?: string }): string {
  const links = (o.links ?? [])
    .map((l) => {
      writeSecret(o.dir, `${name}-${l.name}.token`, l.token)
      return `  - name: ${l.name}
    url: ${l.url}
    token: file:./${name}-${l.name}.token
    ca: certs/ca.crt
    mode: ${l.mode}
    repositories: [${l.repositories.join(', ')}]
    interval: ${l.interval ?? '1h'}
${l.extra ?? ''}`
    })
    .join('')
  return `site: { name: ${name}, role: ${o.role ?? 'root'}, owns: [${(o.owns ?? []).join(', ')}] }
listen:
  https: { host: 127.0.0.1, port: 0 }
tls: { dir: certs }
log: { level: info${o.requestLog ? '' : ', requests: false'} }
hub: { readsNeedKey: false${o.hub ? `, ${o.hub}` : ''} }
${links ? `links:\n${links}` : ''}${o.extra ?? ''}`
}

export interface LinkedSite extends TestSite {
  name: string
  /** A publish key for everything (ownership decides what is accepted). */
  publish: string
  links: LinkRing
  engine(name: string): LinkEngine
}

export async function startLinked(t: TestLike, name: string, o: Parameters<typeof linkedYaml>[1] & { clock?: Clock }): Promise<LinkedSite> {
  const site = await startSite(t, linkedYaml(name, o), { dir: o.dir, name, clock: o.clock })
  const publish = (await site.gw.service<KeyRing>('keys')!.create({ name: 'ci', scope: 'publish', namespaces: ['*'] })).key
  const engines = site.gw.service<Map<string, LinkEngine>>('linkEngines')!
  return { ...site, name, publish, links: site.gw.service<LinkRing>('links')!, engine: (n) => engines.get(n)! }
}

/**
 * A fake peer `london` that a site `tokyo` pulls `london/*` from (a real site): the peer answers its hello
 * and london's one blob (`bytes`); `answer` gives what it says to the rest (its log, its whole state), else 404.
 */
export async function startPullFromFakePeer(
  t: TestLike,
  bytes: string,
  answer: (url: string) => { status: number; body: unknown } | undefined,
): Promise<{ peer: Origin; tokyo: LinkedSite }> {
  const id = sha256(bytes)
  const peer = await startOrigin(t, (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    req.resume()
    if (req.url === `${LINK_PREFIX}/hello`) return send(200, { site: 'london', owns: [], link: { name: 'tokyo', mode: 'pull', actions: { download: true, upload: false, deleteDownloaded: true, deleteUploaded: false }, repositories: ['london/*'] }, store: 'S', revision: 5 })
    if (req.url === `/api/v1/blobs/sha256:${id}`) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      return res.end(bytes)
    }
    const a = answer(req.url ?? '')
    if (a) return send(a.status, a.body)
    send(404, { error: { code: 'GW_ERR_NOT_FOUND', message: 'no' } })
  })
  const tokyo = await startLinked(t, 'tokyo', { dir: tempDir(t), owns: ['tokyo/*'], links: [{ name: 'london', url: peer.url, token: 'fgk_0123456789abcdef_' + 'a'.repeat(43), mode: 'pull', repositories: ['london/*'] }] })
  return { peer, tokyo }
}

/** A link's status from the site's status API (admin key); the first of that direction unless named. */
export async function linkStatus(site: TestSite, direction: LinkStatus['direction'], name?: string): Promise<LinkView> {
  const res = await fetchText(site, '/api/v1/federation/links/status', { headers: bearer(await adminKeyOf(site)) })
  const links = (JSON.parse(res.body) as { links: LinkView[] }).links
  const s = links.find((l) => l.direction === direction && (name === undefined || l.name === name))
  if (!s) throw new Error(`no ${direction} link ${name ?? ''} in ${res.body}`)
  return s
}

/** Writes `<dir>/<name>.yaml` for a linked site run as a process; returns its path. */
export function writeLinkedYaml(name: string, o: Parameters<typeof linkedYaml>[1]): string {
  const file = join(o.dir, `${name}.yaml`)
  writeFileSync(file, linkedYaml(name, { requestLog: true, ...o }))
  return file
}

/** Makes links (tokens) and a publish key in the store of the site `file` describes, before its process starts. */
export async function linksBefore(file: string, links: { name: string; repositories: string[]; mode: LinkMode; custom?: Record<string, boolean> }[]): Promise<{ tokens: string[]; publish: string; admin: string }> {
  const stores = await openStores(loadConfigFile(file, builtinPlugins), { follow: false })
  try {
    const ring = new LinkRingClass(stores.index, systemClock)
    const tokens: string[] = []
    for (const l of links) tokens.push((await ring.create(l)).token)
    const keys = new KeyRingClass(stores.index, systemClock)
    const publish = (await keys.create({ name: 'ci', scope: 'publish', namespaces: ['*'] })).key
    const admin = (await keys.create({ name: 'ops', scope: 'admin' })).key
    return { tokens, publish, admin }
  } finally {
    await stores.close()
  }
}

/**
 * Spoils `site`'s stored copy of the blob holding `bytes` (a peer reading it cannot verify it: its exchange
 * fails after reading the log's pages); the answer puts the good bytes back. Run the site with
 * `store: { hotBlobMax: 0 }`, or the good bytes stay served from memory.
 */
export function spoilBlob(site: TestSite, bytes: string): () => void {
  const file = site.gw.service<FileBlobStore>('blobStore')!.path(sha256(bytes))
  const good = readFileSync(file)
  writeFileSync(file, `not ${bytes}`)
  return () => writeFileSync(file, good)
}

/**
 * Tokyo and London over a mirror link, made disabled at its incoming side (Tokyo's when `londonConnects`,
 * else London's): no hello (the outgoing side's first exchange runs at start) tells Tokyo who owns
 * london/* before `enable()` (docs/federation.md, "Ownership learnt late"). `store`: more fields of each
 * site's `store` mapping; the stores are `.fedgate/<site>-in|out/store` under `dir`.
 */
export async function ownerLearntLate(t: TestLike, o: { dir: string; londonConnects: boolean; store?: string; clock?: Clock }) {
  const { dir, londonConnects, clock } = o
  const store = (name: string) => `store: { dir: .fedgate/${name}-${londonConnects ? 'in' : 'out'}/store${o.store ? `, ${o.store}` : ''} }\n`
  const repositories = ['london/*', 'tokyo/*']
  const mode: LinkMode = 'mirror'
  if (londonConnects) {
    const tokyo = await startLinked(t, 'tokyo', { dir, extra: store('tokyo'), owns: ['tokyo/*'], clock })
    const token = (await tokyo.links.create({ name: 'london', repositories, mode })).token
    await tokyo.links.setDisabled('london', true)
    const london = await startLinked(t, 'london', { dir, extra: store('london'), owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode, repositories }], clock })
    return { tokyo, london, enable: () => tokyo.links.setDisabled('london', false), exchange: () => london.engine('london').exchange() }
  }
  const london = await startLinked(t, 'london', { dir, extra: store('london'), owns: ['london/*'], clock })
  const token = (await london.links.create({ name: 'tokyo', repositories, mode })).token
  await london.links.setDisabled('tokyo', true)
  const tokyo = await startLinked(t, 'tokyo', { dir, extra: store('tokyo'), owns: ['tokyo/*'], links: [{ name: 'tokyo', url: london.url, token, mode, repositories }], clock })
  return { tokyo, london, enable: () => london.links.setDisabled('tokyo', false), exchange: () => tokyo.engine('tokyo').exchange() }
}

/**
 * Tokyo with two ownership conflicts: it published london/app:1.0 (`tokyo one`, also tagged latest) before
 * it learnt, from London's hello, that London owns london/*; both tags are set aside for London's values.
 */
export async function ownershipConflictAtTokyo(t: TestLike, o: { dir: string; store?: string; clock?: Clock }) {
  const sites = await ownerLearntLate(t, { ...o, londonConnects: true })
  const { tokyo, london, enable, exchange } = sites
  for (const [site, bytes] of [[london, 'london one'], [tokyo, 'tokyo one']] as const) {
    const res = await publish(site, site.publish, 'london/app', '1.0', bytes)
    if (res.status !== 201) throw new Error(`${site.name}: publish london/app:1.0: ${res.status} ${res.text}`)
  }
  await enable()
  await exchange()
  return sites
}
