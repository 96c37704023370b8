// Sends a cached entry to a client: its own conditionals (If-None-Match, If-Modified-Since) answered
// 304 from the entry, one byte range answered 206 from the whole entry (any other Range: the whole
// answer, as RFC 9110 §14.2 allows), HEAD with the head only. Every such answer says how it was found in
// `Cache-Status` (RFC 9211), a stale one with a negative ttl and `detail=stale`.
import { open } from 'node:fs/promises'
import { pipeline } from 'node:stream'
import type { RequestContext } from '../../gateway/plugin-api.ts'
import { ageNow, staleFor, type CacheStatus } from '../../gateway/http-cache/http-cache.ts'
import type { Entry, EntryMeta, EntryStore } from '../../gateway/http-cache/entry-store.ts'

/** Headers a 304 carries (RFC 9110 §15.4.5), besides Age and Cache-Status. */
const NOT_MODIFIED_HEADERS = ['etag', 'cache-control', 'expires', 'last-modified', 'vary', 'content-location', 'date']

/**
 * RFC 9211 Cache-Status for an answer found as `status`. `stored` false: a miss whose head leaves before
 * it is known to fit the cache (chunked), which then says only that it was fetched.
 */
export function cacheStatusValue(site: string, status: CacheStatus, e: EntryMeta, now: number, stored = true): string {
  const ttl = Math.round(-staleFor(e, now) / 1000)
  switch (status) {
    case 'hit':
      return `${site}; hit; ttl=${ttl}`
    case 'stale':
      return `${site}; hit; ttl=${Math.min(ttl, -1)}; detail=stale`
    case 'revalidated':
      return `${site}; fwd=stale; fwd-status=304; ttl=${ttl}`
    case 'coalesced':
      return `${site}; fwd=miss; stored; collapsed; ttl=${ttl}`
    case 'miss':
      return stored ? `${site}; fwd=miss; stored; ttl=${ttl}` : `${site}; fwd=miss; ttl=${ttl}`
  }
}

/** The stored headers with the entry's Age and its Cache-Status (RFC 9211) for an answer found as `status` (`stored`: cacheStatusValue). */
export function entryHeaders(e: EntryMeta, status: CacheStatus, site: string, now: number, stored = true): Record<string, string | string[] | number> {
  // RFC 9211: a cache appends its entry to the list the caches nearer the origin (a middle site) wrote.
  const before = e.headers['cache-status']
  const ours = cacheStatusValue(site, status, e, now, stored)
  return { ...e.headers, age: String(Math.floor(ageNow(e, now) / 1000)), 'cache-status': before ? `${String(before)}, ${ours}` : ours }
}

/**
 * Resolves false when the entry's body is gone from disk (evicted meanwhile) before anything was sent.
 * `whole` hears of a whole 200 answer sent from memory, with its headers, to offer it for repeats.
 */
export async function sendEntry(ctx: RequestContext, store: EntryStore, e: Entry, status: CacheStatus, site: string, now: number, whole?: (headers: Record<string, string | string[] | number>, body: Buffer) => void): Promise<boolean> {
  const { req, res } = ctx
  const headers = entryHeaders(e, status, site, now)
  if (e.status === 200 && notModified(req.headers, e)) {
    const h: Record<string, string | string[]> = { age: headers.age as string, 'cache-status': headers['cache-status'] as string }
    for (const n of NOT_MODIFIED_HEADERS) if (e.headers[n] !== undefined) h[n] = e.headers[n]!
    res.writeHead(304, h)
    res.end()
    return true
  }
  let start = 0
  let end = e.bodyLength - 1
  let code = e.status
  if (e.status === 200 && req.headers.range !== undefined && rangeApplies(String(req.headers['if-range'] ?? '') || undefined, e)) {
    const r = oneRange(req.headers.range, e.bodyLength)
    if (r === 'unsatisfiable') {
      res.writeHead(416, { 'content-range': `bytes */${e.bodyLength}`, 'content-length': 0, 'cache-status': headers['cache-status'] as string })
      res.end()
      return true
    }
    if (r) {
      ;[start, end, code] = [r.start, r.end, 206]
      headers['content-range'] = `bytes ${start}-${end}/${e.bodyLength}`
    }
  }
  const length = Math.max(0, end - start + 1)
  if (e.status !== 204 && e.status !== 304) headers['content-length'] = length
  else delete headers['content-length']
  if (ctx.method === 'HEAD' || length === 0) {
    res.writeHead(code, headers)
    res.end()
    return true
  }
  const held = store.memoryBody(e)
  if (held) {
    if (code === 200 && length === e.bodyLength) whole?.(headers, held)
    res.writeHead(code, headers)
    res.end(code === 206 ? held.subarray(start, end + 1) : held)
    return true
  }
  let fh
  try {
    fh = await open(e.file, 'r')
  } catch {
    return false
  }
  res.writeHead(code, headers)
  await new Promise<void>((resolve) => {
    pipeline(fh.createReadStream({ start, end }), res, (err) => {
      // A client leaving is logged as 499 by the lifecycle; a disk that fails mid-answer cuts it.
      if (err && !res.writableFinished) res.destroy()
      resolve()
    })
  })
  return true
}

function notModified(h: Record<string, string | string[] | undefined>, e: Entry): boolean {
  const inm = h['if-none-match']
  const etag = typeof e.headers.etag === 'string' ? e.headers.etag : undefined
  if (inm !== undefined) {
    if (!etag) return false
    const tags = String(inm).split(',').map((t) => t.trim())
    return tags.includes('*') || tags.some((t) => weak(t) === weak(etag))
  }
  const ims = h['if-modified-since']
  const modified = typeof e.headers['last-modified'] === 'string' ? Date.parse(e.headers['last-modified']) : NaN
  if (typeof ims !== 'string' || Number.isNaN(modified)) return false
  const since = Date.parse(ims)
  return !Number.isNaN(since) && modified <= since
}

const weak = (t: string) => t.replace(/^W\//, '')

/** If-Range: the range is honoured only when it names this entry (strong ETag or its exact Last-Modified). */
function rangeApplies(ifRange: string | undefined, e: Entry): boolean {
  if (ifRange === undefined) return true
  if (ifRange.startsWith('"')) return e.headers.etag === ifRange
  return e.headers['last-modified'] === ifRange
}

function oneRange(v: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(v.trim())
  if (!m || (m[1] === '' && m[2] === '')) return undefined // several ranges or another unit: the whole answer
  if (m[1] === '') {
    const n = Number(m[2])
    if (n === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(m[1])
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  if (start >= size || end < start) return 'unsatisfiable'
  return { start, end }
}
