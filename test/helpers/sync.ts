// Fixtures for the sync tests: a TCP proxy in front of a root that can throttle, count and be killed
// mid-transfer (and come back on the same port), and a bounded wait on a site's sync status.
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { startSite, childYaml, writeSecret, type TestLike, type TestSite } from './sites.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import type { BlobStore, RepositoryStore } from '../../plugins/hub/model.ts'
import type { SyncStatus } from '../../plugins/sync/status.ts'
import type { SyncScheduler } from '../../plugins/sync/scheduler.ts'
import type { BlobFetcher } from '../../plugins/sync/blob-fetcher.ts'

export interface TcpProxy {
  port: number
  url: string
  /** Bytes sent from the target to clients (blob bytes moving downstream, plus headers). */
  bytesDown: number
  /** Bytes forwarded from clients to the target (uploads, plus headers and TLS). */
  bytesUp: number
  /** Stops listening and cuts every connection at once, as a dead host would. */
  kill(): Promise<void>
  /** Listens again on the same port. */
  revive(): Promise<void>
  /** Bytes per second downstream; 0: unthrottled. */
  rate: number
  /** Bytes per second upstream (uploads); 0: unthrottled. */
  upRate: number
  /** Holds every byte going downstream (a peer that stopped reading) until `release`; new connections too. */
  stall(): void
  release(): void
}

export async function startTcpProxy(t: TestLike, target: { host: string; port: number }, o: { rate?: number; scheme?: 'https' | 'http' } = {}): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>()
  let server: net.Server | undefined
  const proxy: TcpProxy = {
    port: 0,
    url: '',
    bytesDown: 0,
    bytesUp: 0,
    rate: o.rate ?? 0,
    upRate: 0,
    kill: async () => {
      const s = server
      server = undefined
      for (const sock of sockets) sock.destroy()
      sockets.clear()
      if (s) await new Promise<void>((r) => s.close(() => r()))
    },
    revive: async () => {
      if (!server) await listen(proxy.port)
    },
    stall: () => {
      stalled = true
      for (const u of upstreams) u.pause()
    },
    release: () => {
      stalled = false
      for (const u of upstreams) u.resume()
    },
  }
  let stalled = false
  const upstreams = new Set<net.Socket>()
  const onConnection = (client: net.Socket) => {
    const upstream = net.connect(target.port, target.host)
    sockets.add(client)
    sockets.add(upstream)
    upstreams.add(upstream)
    if (stalled) upstream.pause()
    const end = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
      upstreams.delete(upstream)
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
    // As client.pipe(upstream), with an optional upload rate.
    client.on('data', (chunk: Buffer) => {
      proxy.bytesUp += chunk.length
      const ok = upstream.write(chunk)
      if (proxy.upRate > 0) {
        client.pause()
        setTimeout(() => client.resume(), Math.ceil((chunk.length / proxy.upRate) * 1000)).unref()
      } else if (!ok) {
        client.pause()
        upstream.once('drain', () => client.resume())
      }
    })
    client.on('end', () => upstream.end())
    upstream.on('data', (chunk: Buffer) => {
      proxy.bytesDown += chunk.length
      const ok = client.write(chunk)
      if (proxy.rate > 0) {
        // Hold the upstream for as long as this chunk takes at the set rate.
        upstream.pause()
        setTimeout(() => upstream.resume(), Math.ceil((chunk.length / proxy.rate) * 1000)).unref()
      } else if (!ok) {
        upstream.pause()
        client.once('drain', () => stalled || upstream.resume())
      }
    })
  }
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer(onConnection)
      s.once('error', reject)
      s.listen(port, '127.0.0.1', () => {
        server = s
        proxy.port = (s.address() as AddressInfo).port
        proxy.url = `${o.scheme ?? 'https'}://127.0.0.1:${proxy.port}`
        resolve()
      })
    })
  await listen(0)
  t.teardown(() => proxy.kill())
  return proxy
}

/** Polls `check` every 25 ms until it returns a truthy value; fails after `ms` (a bound, not a timing). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

// ── a root, its keys, publishing, and children that sync from it ──────────────────────────────────

/** The parts of the hub plugin's key ring the tests use. */
interface Keys {
  create(o: { name: string; scope: 'read' | 'publish' | 'admin'; namespaces?: string[] }): Promise<{ key: string }>
}

export interface RootSite extends TestSite {
  /** A read key for children. */
  readKey: string
  publishKey: string
}

/** A root site (hub plugin, own store) on 127.0.0.1:0 with a read key and a publish key for `*`. */
export async function startRoot(t: TestLike, dir: string, name = 'root', extra = ''): Promise<RootSite> {
  const yaml = `site: { name: ${name}, role: root }
listen:
  https: { host: 127.0.0.1, port: 0 }
tls: { dir: certs }
log: { level: info }
${extra}`
  const site = await startSite(t, yaml, { dir, name })
  const keys = site.gw.service<Keys>('keys')!
  const readKey = (await keys.create({ name: 'children', scope: 'read' })).key
  const publishKey = (await keys.create({ name: 'ci', scope: 'publish', namespaces: ['*'] })).key
  return Object.assign(site, { readKey, publishKey })
}

/** Creates a key at any site (a middle site issues its branches' keys). */
export async function issueKey(site: TestSite, scope: 'read' | 'publish' | 'admin', name = `k-${scope}`): Promise<string> {
  return (await site.gw.service<Keys>('keys')!.create({ name, scope, ...(scope === 'publish' ? { namespaces: ['*'] } : {}) })).key
}

/** Publishes `bytes` as `repo:tag` through the hub API; returns the image id. */
export async function publish(root: Pick<RootSite, 'url' | 'agent' | 'publishKey'>, ref: string, bytes: Buffer): Promise<string> {
  const [repo, tag] = ref.split(':') as [string, string]
  const res = await request(`${root.url}/api/v1/repos/${repo}/images/${tag}`, {
    method: 'PUT',
    body: bytes,
    headers: { authorization: `Bearer ${root.publishKey}`, 'content-type': 'application/octet-stream' },
    dispatcher: root.agent,
  })
  const body = await res.body.text()
  if (res.statusCode !== 201) throw new Error(`publish ${ref}: ${res.statusCode} ${body}`)
  return sha256(bytes)
}

export async function deleteTag(root: RootSite, ref: string): Promise<void> {
  const [repo, tag] = ref.split(':') as [string, string]
  const res = await request(`${root.url}/api/v1/repos/${repo}/tags/${tag}`, { method: 'DELETE', headers: { authorization: `Bearer ${root.publishKey}` }, dispatcher: root.agent })
  await res.body.dump()
  if (res.statusCode !== 204) throw new Error(`delete ${ref}: ${res.statusCode}`)
}

/** A child of `upstreamUrl` presenting `key`, with its own key file; `extra` YAML is appended. */
export async function startChild(t: TestLike, dir: string, name: string, upstreamUrl: string, key: string, extra = '', clock?: Clock): Promise<TestSite> {
  writeSecret(dir, `${name}-upstream.key`, key)
  const yaml = childYaml(name, upstreamUrl, extra).replace('file:./root.key', `file:./${name}-upstream.key`)
  return startSite(t, yaml, { dir, name, clock })
}

export function syncOf(site: TestSite): { status: SyncStatus; scheduler: SyncScheduler; fetcher: BlobFetcher; blobs: BlobStore; repos: RepositoryStore } {
  return {
    status: site.gw.service<SyncStatus>('syncStatus')!,
    scheduler: site.gw.service<SyncScheduler>('syncScheduler')!,
    fetcher: site.gw.service<BlobFetcher>('blobFetcher')!,
    blobs: site.gw.service<BlobStore>('blobStore')!,
    repos: site.gw.service<RepositoryStore>('repositoryStore')!,
  }
}

/**
 * Waits until `repo` is in sync at the child. Bounded by 60 s: a loaded CI machine can make early
 * attempts fail and back off (1, 2, 4, 8… s). A timeout names the repository's state and the site's
 * last log lines, so a failure says why.
 */
export async function inSync(site: TestSite, repo: string, ms = 60_000): Promise<unknown> {
  const { status } = syncOf(site)
  try {
    return await waitFor(`${repo} in sync`, () => status.has(repo) && status.get(repo).state === 'in-sync' && status.get(repo), ms)
  } catch (err) {
    const state = status.has(repo) ? status.get(repo) : 'not tracked'
    const last = site.logs.lines().filter((l) => l.msg !== 'request').slice(-8).map((l) => JSON.stringify(l))
    throw new Error(`${(err as Error).message}: ${JSON.stringify(state)}; last log lines:\n${last.join('\n')}`)
  }
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex')
}

/** Deterministic bytes that differ per seed (compressible data would not matter: nothing compresses). */
export function blobBytes(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size)
  let x = seed * 2654435761 + 1
  for (let i = 0; i < size; i += 4) {
    x = (x * 1103515245 + 12345) >>> 0
    b.writeUInt32LE(x, Math.min(i, size - 4))
  }
  return b
}

/**
 * The paths of every request `site` has logged so far, each call complete: request lines leave in
 * batches, in order, so once a marker request's own line is in, every earlier one is (markers left out).
 */
export function loggedPaths(site: Pick<TestSite, 'url' | 'agent' | 'logs'>): () => Promise<string[]> {
  let markers = 0
  return async () => {
    const path = `/health/marker-${++markers}`
    await (await request(site.url + path, { dispatcher: site.agent })).body.dump()
    await site.logs.waitFor((l) => l.msg === 'request' && l.path === path)
    return site.logs
      .lines()
      .filter((l) => l.msg === 'request' && !String(l.path).startsWith('/health/marker-'))
      .map((l) => String(l.path))
  }
}

/**
 * A child `branch` that synchronized `repos` from `root` (change stream off: only rounds sync), ran one
 * round more, so each repository's place in the feed is the feed's head, and was stopped (after
 * `beforeStop`). `restart` starts it again on the same store, from `upstream` (default `root`).
 */
export async function childSyncedThenStopped(
  t: TestLike,
  dir: string,
  root: RootSite,
  repos: readonly string[],
  o: { extra?: string; clock?: Clock; beforeStop?: (child: TestSite) => Promise<void> } = {},
): Promise<{ restart(upstream?: RootSite): Promise<TestSite> }> {
  const yaml = `repositories: [${repos.join(', ')}]\nsync: { stream: { enabled: false } }\n${o.extra ?? ''}`
  const first = await startChild(t, dir, 'branch', root.url, root.readKey, yaml, o.clock)
  for (const repo of repos) await inSync(first, repo)
  await syncOf(first).scheduler.syncAll()
  await o.beforeStop?.(first)
  await first.gw.close()
  return { restart: (upstream = root) => startChild(t, dir, 'branch', upstream.url, upstream.readKey, yaml, o.clock) }
}
