// A packument over npm.maxPackumentBytes is never read whole: refused on its Content-Length, else cut
// off as soon as the limit is passed (the root sees its connection closed before it finished sending),
// answered 502 in npm's error shape when proxied, and a failed sync with the reason when synchronized.
import t from 'tap'
import type { ServerResponse } from 'node:http'
import { request } from 'undici'
import type { KeyRing } from '../plugins/hub/keys.ts'
import { childYaml, fetchText, startOrigin, startSite, tempDir, writeSecret } from './helpers/sites.ts'

const MiB = 1024 * 1024
const TOTAL = 48 * MiB

interface Sent {
  bytes: number
  finished: boolean
  closed: Promise<void>
}

t.test('an oversized packument is cut off, proxied or synchronized', async (t) => {
  const dir = tempDir(t)
  const sent = new Map<string, Sent>()
  const track = (name: string, res: ServerResponse): Sent => {
    const s: Sent = { bytes: 0, finished: false, closed: new Promise((r) => res.once('close', () => r())) }
    res.once('finish', () => (s.finished = true))
    sent.set(name, s)
    return s
  }
  // 48 MiB of valid JSON, sent with backpressure and no Content-Length.
  const stream = (res: ServerResponse, s: Sent, name: string) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    const chunk = Buffer.alloc(MiB, 'a')
    res.write(`{"name":"${name}","dist-tags":{},"versions":{},"pad":"`)
    const pump = () => {
      while (s.bytes < TOTAL && !res.destroyed) {
        s.bytes += chunk.length
        if (!res.write(chunk)) return void res.once('drain', pump)
      }
      if (!res.destroyed) res.end('"}')
    }
    pump()
  }
  const origin = await startOrigin(t, (req, res) => {
    const name = decodeURIComponent(req.url!.slice(1).split('?')[0]!)
    const s = track(name, res)
    if (name === 'big' || name === 'big-sync') return stream(res, s, name)
    if (name === 'declared') {
      // Declares 1 GiB, sends a little, then stalls: only the header can be judged.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1024 * MiB) })
      s.bytes = 1024
      return void res.write(Buffer.alloc(1024, ' '))
    }
    res.writeHead(404, { 'content-type': 'application/json' })
    res.end('{"error":"not found"}')
  })
  writeSecret(dir, 'root.key', 'site-key-0123456789abcdef')
  const yaml = childYaml('branch', origin.url, `npm:\n  packages: ['big-sync']\n  interval: 1h\n  requestTimeout: 20s\n  maxPackumentBytes: 1MiB\n`)
  const child = await startSite(t, yaml, { dir, name: 'branch' })

  const json = { accept: 'application/json' }
  const big = await fetchText(child, '/big', { headers: json })
  t.equal(big.status, 502, 'a proxied packument over the limit is a 502')
  const err = JSON.parse(big.body) as { error: unknown; code: string }
  t.equal(err.code, 'GW_ERR_ROOT_BAD_RESPONSE')
  t.match(err.error, /larger than npm\.maxPackumentBytes/, 'saying why, as a string npm prints')
  await sent.get('big')!.closed
  t.notOk(sent.get('big')!.finished, 'the root saw its connection closed before it finished sending')
  t.ok(sent.get('big')!.bytes < TOTAL / 2, `the gateway stopped reading early (${(sent.get('big')!.bytes / MiB).toFixed(0)} MiB sent of 48)`)

  const started = performance.now()
  const declared = await fetchText(child, '/declared', { headers: json })
  t.equal(declared.status, 502, 'a Content-Length over the limit is refused')
  t.match(JSON.parse(declared.body).error, /larger than npm\.maxPackumentBytes/)
  t.ok(performance.now() - started < 5000, 'at once, without waiting for the body')
  await sent.get('declared')!.closed
  t.pass('and the connection to the root is closed')

  // The sync side: the scheduler's first round has asked for big-sync already; ask again and wait.
  const admin = (await child.gw.service<KeyRing>('keys')!.create({ name: 'ops', scope: 'admin' })).key
  const res = await request(`${child.url}/api/v1/admin/npm/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'big-sync', wait: true }),
    dispatcher: child.agent,
  })
  const status = (await res.body.json()) as { packages: { name: string; state: string; error?: string }[] }
  const pkg = status.packages.find((p) => p.name === 'big-sync')
  t.equal(pkg?.state, 'failing', 'the sync fails')
  t.match(pkg?.error, /larger than npm\.maxPackumentBytes/, 'with the reason')
  await sent.get('big-sync')!.closed
  t.notOk(sent.get('big-sync')!.finished, 'and the root saw its connection closed early')
  t.ok(sent.get('big-sync')!.bytes < TOTAL / 2, 'having sent only part of it')
})
