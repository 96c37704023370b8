// Fixtures for the change-stream tests: a site's stream state, what a child serves of a tag, and a plain
// WebSocket subscriber that records what it is told.
import WebSocket from 'ws'
import { fetchText, type TestSite } from './sites.ts'
import { waitFor } from './sync.ts'

/** The child's subscription as /health shows it (`live`, `polling`, `off`). */
export function streamOf(site: TestSite): { state: string; announced: number; applied: number; reason?: string } {
  return (site.gw.health().sync as { stream: { state: string; announced: number; applied: number; reason?: string } }).stream
}

/** The upstream side's counters (hub.stream in /health). */
export function subscribersOf(site: TestSite): { subscribers: number; announced: number; dropped: number; refused: number; revoked: number } {
  return (site.gw.health().hub as { stream: { subscribers: number; announced: number; dropped: number; refused: number; revoked: number } }).stream
}

export function live(site: TestSite): Promise<boolean> {
  return waitFor(`${site.gw.config.site.name}'s stream live`, () => streamOf(site).state === 'live')
}

/** Waits until `site` serves `repo` with `tag` pointing at `id` from its own store. */
export function serves(site: TestSite, repo: string, tag: string, id: string): Promise<boolean> {
  return waitFor(`${repo}:${tag} at ${site.gw.config.site.name}`, async () => {
    const r = await fetchText(site, `/api/v1/repos/${repo}`)
    return r.status === 200 && (JSON.parse(r.body) as { tags: Record<string, string> }).tags[tag] === id
  })
}

export interface RawSubscriber {
  ws: WebSocket
  messages: Record<string, unknown>[]
  /** The HTTP status of a refused upgrade, if it was refused. */
  refusedWith?: number
  closed: Promise<number>
}

/** A plain WebSocket client on `site`'s change stream, presenting `headers`. */
export async function subscribe(site: TestSite, headers: Record<string, string>): Promise<RawSubscriber> {
  const ws = new WebSocket(`wss://127.0.0.1:${site.gw.httpsPort}/api/v1/federation/stream`, { headers, ca: site.ca })
  const sub: RawSubscriber = { ws, messages: [], closed: new Promise((r) => ws.once('close', (code) => r(code))) }
  ws.on('message', (d) => sub.messages.push(JSON.parse(String(d)) as Record<string, unknown>))
  ws.on('unexpected-response', (req, res) => {
    sub.refusedWith = res.statusCode
    res.resume()
    req.destroy()
  })
  ws.on('error', () => {})
  await new Promise<void>((r) => {
    ws.once('open', () => r())
    ws.once('close', () => r())
    ws.once('unexpected-response', () => r())
  })
  return sub
}
