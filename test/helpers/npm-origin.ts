// A plain HTTP npm root for flood tests: large packuments made on demand, answered only once the test
// opens the gate, so every request of a flood is known to be waiting at the gateway before the root
// answers; tarballs with their real sha512 integrity, for syncs; a probe path that always answers.
import { createHash } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { startOrigin, type Origin, type TestLike } from './sites.ts'

export interface NpmOrigin extends Origin {
  /** Packument requests seen for `name`. */
  fetches(name: string): number
  /** Answers every packument held so far, and every later one at once. */
  open(): void
}

/** A packument of `versions` versions padded to about `bytes` bytes. */
export function bigPackument(url: string, name: string, bytes: number, versions = 200): Buffer {
  const pad = 'x'.repeat(Math.max(0, Math.floor(bytes / versions) - 200))
  const doc = {
    name,
    'dist-tags': { latest: `1.0.${versions - 1}` },
    versions: Object.fromEntries(
      Array.from({ length: versions }, (_, i) => [`1.0.${i}`, { name, version: `1.0.${i}`, description: pad, dist: { tarball: `${url}/${name}/-/${name}-1.0.${i}.tgz` } }]),
    ),
  }
  return Buffer.from(JSON.stringify(doc))
}

/** `tarballs` name → bytes are served with a one-version packument each, answered at once (not gated). */
export async function startNpmOrigin(t: TestLike, o: { size: number; tarballs?: Record<string, Buffer>; hold?: (name: string) => boolean }): Promise<NpmOrigin> {
  const held: (() => void)[] = []
  let gateOpen = false
  const counts = new Map<string, number>()
  const bodies = new Map<string, Buffer>()
  const origin: Origin = await startOrigin(t, (req, res) => {
    const path = decodeURIComponent(req.url!.split('?')[0]!)
    if (path === '/health') return void res.end('ok')
    const tgz = /^\/([^/]+)\/-\/\1-1\.0\.0\.tgz$/.exec(path)
    if (tgz && o.tarballs?.[tgz[1]!]) return void res.end(o.tarballs[tgz[1]!])
    const name = path.slice(1)
    counts.set(name, (counts.get(name) ?? 0) + 1)
    if (o.tarballs?.[name]) return json(res, packumentOf(url, name, o.tarballs[name]!))
    const answer = () => {
      let body = bodies.get(name)
      if (!body) bodies.set(name, (body = bigPackument(url, name, o.size)))
      json(res, body)
    }
    // Held answers never come when `hold` says so: the root hangs for that package.
    if (o.hold?.(name)) return
    if (gateOpen) answer()
    else held.push(answer)
  })
  const url = origin.url
  return {
    ...origin,
    fetches: (name) => counts.get(name) ?? 0,
    open() {
      gateOpen = true
      for (const a of held.splice(0)) a()
    },
  }
}

function packumentOf(url: string, name: string, tarball: Buffer): Buffer {
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`
  const v = { name, version: '1.0.0', dist: { tarball: `${url}/${name}/-/${name}-1.0.0.tgz`, integrity } }
  return Buffer.from(JSON.stringify({ name, 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': v }, time: { '1.0.0': new Date(0).toISOString() } }))
}

function json(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
  res.end(body)
}
