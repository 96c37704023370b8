// A child site in front of a recording origin, the setup most forwarding and bad-input tests share.
import type http from 'node:http'
import type { Clock } from '../../gateway/util/clock.ts'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, type TestLike, type Origin, type TestSite } from './sites.ts'

export interface ChildOptions {
  /** YAML appended to childYaml() (indent with two spaces to continue the root section). */
  extra?: string
  /** Pass t.clock so that no active probe runs unless the test advances it. */
  clock?: Clock
  handler?: http.RequestListener
  key?: string
}

export async function startChildWithOrigin(t: TestLike, name: string, o: ChildOptions = {}): Promise<{ origin: Origin; site: TestSite; key: string }> {
  const origin = await startOrigin(t, o.handler)
  const dir = tempDir(t)
  const key = o.key ?? `fgk_${name.replace(/-/g, '_')}_${'k'.repeat(30)}`
  writeSecret(dir, 'root.key', key)
  const site = await startSite(t, childYaml(name, origin.url, o.extra ?? ''), { dir, clock: o.clock })
  return { origin, site, key }
}

/** The forward cache's figures from /health's detail (forward.cache). */
export interface CacheFigures {
  entries: number
  bytes: number
  memoryBytes: number
  maxBytes: number
  maxMemoryBytes: number
  filling: number
  waiting: number
  varying: number
  hit: number
  miss: number
  revalidated: number
  stale: number
  coalesced: number
  alone: number
  notStored: number
}

export function cacheOf(site: Pick<TestSite, 'gw'>): CacheFigures {
  return (site.gw.health() as { forward: { cache: CacheFigures } }).forward.cache
}

/**
 * An origin for revalidation tests: a read under /api/ gets 200 with ETag "v1" and `cacheControl`, or 304
 * when it sends that ETag back; 500 while `failing()` says so. `asked` hears each read's If-None-Match.
 */
export function revalidatingHandler(o: { cacheControl: string; body: string; asked?: (ifNoneMatch: string | undefined) => void; failing?: () => boolean }): http.RequestListener {
  return (req, res) => {
    if (!req.url!.startsWith('/api/')) return res.end('ok')
    o.asked?.(req.headers['if-none-match'])
    if (o.failing?.()) {
      res.writeHead(500, { 'content-type': 'text/plain' })
      return res.end('root trouble')
    }
    const headers = { etag: '"v1"', 'cache-control': o.cacheControl }
    if (req.headers['if-none-match'] === '"v1"') {
      res.writeHead(304, headers)
      return res.end()
    }
    res.writeHead(200, { ...headers, 'content-type': 'text/plain' })
    res.end(o.body)
  }
}
