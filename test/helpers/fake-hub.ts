// A fake upstream speaking the hub API for one repository, whose store id, revision and tags a test sets
// directly (a real site cannot be made to replace its store, or to predate the fedgate-store header).
import type { ServerResponse } from 'node:http'
import { startOrigin, type Origin, type TestLike } from './sites.ts'
import { blobBytes, sha256 } from './sync.ts'

export interface FakeHub extends Origin {
  /** Sent as fedgate-store on the repository and the feed; undefined: no header. */
  store: string | undefined
  revision: number
  tags: Record<string, string>
  /** An image whose blob the fake serves. */
  image(seed: number): string
  /** Paths asked since the last call (the query left out). */
  asked(): string[]
}

export async function startFakeHub(t: TestLike, repo: string): Promise<FakeHub> {
  const blobs = new Map<string, Buffer>()
  let seen = 0
  const json = (res: ServerResponse, v: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json', ...(hub.store === undefined ? {} : { 'fedgate-store': hub.store }) })
    res.end(JSON.stringify(v))
  }
  const origin = await startOrigin(t, (req, res) => {
    const path = req.url?.split('?')[0] ?? ''
    if (path === `/api/v1/repos/${repo}`) {
      const images = Object.fromEntries(Object.values(hub.tags).map((id) => [id, { id, size: blobs.get(id)!.length, createdAt: '2026-01-01T00:00:00.000Z' }]))
      return json(res, { name: repo, revision: hub.revision, tags: hub.tags, images })
    }
    // A feed with nothing for the repository: what a different store's feed says after `since`.
    if (path === '/api/v1/federation/changes') return json(res, { revision: hub.revision, changes: [] })
    const blob = path.startsWith('/api/v1/blobs/sha256:') ? blobs.get(path.slice(21)) : undefined
    if (blob) {
      res.writeHead(200, { 'content-length': blob.length })
      return res.end(blob)
    }
    res.writeHead(path === '/health' ? 200 : 404)
    res.end()
  })
  const hub: FakeHub = Object.assign(origin, {
    store: undefined as string | undefined,
    revision: 0,
    tags: {} as Record<string, string>,
    image(seed: number) {
      const bytes = blobBytes(1000, seed)
      const id = sha256(bytes)
      blobs.set(id, bytes)
      return id
    },
    asked() {
      const paths = origin.seen.slice(seen).map((s) => s.url.split('?')[0]!)
      seen = origin.seen.length
      return paths.filter((p) => p !== '/health')
    },
  })
  return hub
}
