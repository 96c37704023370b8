// Several gateway nodes of one child site (docs/sync.md, "Several gateway nodes at one site"): real
// `fedgate start` processes sharing one index on a real redis-server, each from its own folder, with
// its own disk or one shared blob folder. They trust the CA in <dir>/certs, as the root does.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { childYaml, tempDir, writeSecret, type TestLike } from './sites.ts'
import { startRedis } from './redis.ts'
import { blobBytes, publish, startRoot, startTcpProxy } from './sync.ts'
import { startProcess, type SiteProcess } from './process.ts'

export interface NodeSite extends SiteProcess {
  /** The node's YAML file. */
  file: string
  /** A request to this node (GET unless `init` says otherwise); the body as bytes. */
  get(path: string, init?: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>
  /** Synchronizes `repo` now on this node (its admin API, waiting for the outcome). */
  sync(adminKey: string, repo: string, wait?: boolean): Promise<number>
  /** The tags this node serves for `repo` (undefined when it does not answer 200). */
  tags(repo: string): Promise<Record<string, string> | undefined>
}

export interface NodeOptions {
  /** The test's folder: the node's is <dir>/<name>. */
  dir: string
  name: string
  rootUrl: string
  /** The read key it presents to the root. */
  key: string
  /** `redis://…`, or `embedded` for one machine's lmdb index (workers of one site). */
  redisUrl: string
  /** More entries of the YAML store mapping (a shared `dir`, say). */
  store?: string
  extra?: string
  /** More `fedgate start` arguments (`--workers 2`). */
  args?: string[]
  /** node's arguments before `start` (default: the sources under tsx), e.g. the compiled bin.mjs. */
  program?: string[]
}

/** Writes <dir>/<name>/site.yaml for a node of the child site `branch` (one site name: one key prefix in Redis); returns its path. */
export function writeNode(o: NodeOptions): string {
  const folder = join(o.dir, o.name)
  mkdirSync(folder, { recursive: true })
  writeSecret(folder, 'root.key', o.key)
  const certs = join(o.dir, 'certs')
  const yaml = childYaml('branch', o.rootUrl, `${o.extra ?? ''}store: { index: "${o.redisUrl}"${o.store ? `, ${o.store}` : ''} }\n`)
    .replace('tls: { dir: certs }', `tls: { dir: "${certs}" }`)
    .replace('ca: certs/ca.crt', `ca: "${join(certs, 'ca.crt')}"`)
  const file = join(folder, 'site.yaml')
  writeFileSync(file, yaml)
  return file
}

/** Writes the node's YAML and starts it. */
export async function startNode(t: TestLike, o: NodeOptions): Promise<NodeSite> {
  const file = writeNode(o)
  const certs = join(o.dir, 'certs')
  const site = await startProcess(t, file, { args: o.args, program: o.program })
  const agent = new Agent({ connect: { ca: readFileSync(join(certs, 'ca.crt'), 'utf8') } })
  t.teardown(() => agent.close())
  const get: NodeSite['get'] = async (path, init = {}) => {
    const res = await request(`${site.url}${path}`, { dispatcher: agent, method: init.method ?? 'GET', headers: init.headers, body: init.body })
    return { status: res.statusCode, headers: res.headers as Record<string, unknown>, body: Buffer.from(await res.body.arrayBuffer()) }
  }
  const tags: NodeSite['tags'] = async (repo) => {
    const res = await get(`/api/v1/repos/${repo}`)
    return res.status === 200 ? (JSON.parse(res.body.toString()) as { tags: Record<string, string> }).tags : undefined
  }
  const sync: NodeSite['sync'] = async (adminKey, repo, wait = true) =>
    (await get('/api/v1/admin/sync', { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: repo, wait }) })).status
  return { ...site, file, get, tags, sync }
}


/**
 * One child site's nodes sharing a blob folder on a real redis-server, before any starts: a root with
 * acme/app:1.0 published (`firstBlob` bytes: `v1`), the `shared` blob folder, and per node a TCP proxy to that root, which counts
 * the bytes it receives. `options(name, i, extra)` is node i's (0 or 1): through proxy i, synchronizing
 * acme/app, with `extra` YAML (its `sync` mapping).
 */
export async function sharedFolderNodes(t: TestLike, o: { firstBlob: number; program?: string[] }) {
  const dir = tempDir(t)
  const redis = await startRedis(t)
  const root = await startRoot(t, dir)
  const v1 = await publish(root, 'acme/app:1.0', blobBytes(o.firstBlob, 1))
  const shared = join(dir, 'shared-store')
  const toRoot = { host: '127.0.0.1', port: root.gw.httpsPort }
  const proxies = [await startTcpProxy(t, toRoot), await startTcpProxy(t, toRoot)] as const
  const options = (name: string, i: 0 | 1, extra: string): NodeOptions => ({
    dir,
    name,
    rootUrl: proxies[i].url,
    key: root.readKey,
    redisUrl: redis.url,
    store: `dir: "${shared}"`,
    extra: `repositories: [acme/app]\n${extra}`,
    ...(o.program ? { program: o.program } : {}),
  })
  return { dir, root, v1, shared, proxies, options }
}
