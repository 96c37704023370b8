// The sync's and the npm sync's metadata requests used AbortSignal.any([stop, AbortSignal.timeout()]):
// on Node 20 the site's long-lived stop signal kept a reference to every one of them, so memory grew
// with each request. Now each request holds the stop signal only while it runs.
import t from 'tap'
import { getEventListeners } from 'node:events'
import { createRootClient } from '../gateway/upstream/root-client.ts'
import { RegistryUpstream } from '../plugins/npm/registry-upstream.ts'
import { Upstream } from '../plugins/sync/upstream.ts'
import { startOrigin } from './helpers/sites.ts'

/** What the stop signal holds for requests made from it: listeners, and Node 20's AbortSignal.any dependants. */
function held(signal: AbortSignal): number {
  const dependants = Object.getOwnPropertySymbols(signal).find((s) => s.description === 'kDependantSignals')
  const set = dependants ? (signal as unknown as Record<symbol, Set<unknown> | undefined>)[dependants] : undefined
  return getEventListeners(signal, 'abort').length + (set?.size ?? 0)
}

t.test('metadata requests leave nothing on the stop signal, and are still ended by deadline and stop', async (t) => {
  const origin = await startOrigin(t, (req, res) => {
    if (req.url?.startsWith('/hang')) return // never answers
    const json = (v: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(v))
    }
    if (req.url === '/api/v1/federation/repos') return json({ revision: 1, repos: ['acme/app'] })
    if (req.url === '/api/v1/repos/acme/app') return json({ name: 'acme/app', revision: 1, tags: {}, images: {} })
    if (req.url?.startsWith('/api/v1/federation/changes')) return json({ revision: 1, changes: [] })
    if (req.url === '/left-pad') return json({ name: 'left-pad', versions: {} })
    res.writeHead(404)
    res.end()
  })
  const client = createRootClient({ url: new URL(origin.url), keyHeader: 'authorization', connectTimeout: 5000, headersTimeout: 10_000 })
  t.teardown(() => client.close())
  const stop = new AbortController()
  const sync = new Upstream(client, undefined, { requestTimeout: 300, blobIdleTimeout: 5000, signal: stop.signal })
  const npm = new RegistryUpstream(client, undefined, { requestTimeout: 300, signal: stop.signal })

  for (let i = 0; i < 50; i++) {
    await sync.repos()
    await sync.repo('acme/app')
    await sync.repo('acme/none') // a 404
    await sync.changes(0, 'acme/app')
    await npm.packument('left-pad')
  }
  await new Promise((r) => setImmediate(r)) // a body's 'close' comes just after it was read
  t.equal(held(stop.signal), 0, 'nothing kept after 250 requests')

  // A request with no answer is ended by its deadline (the pool's own headers timeout is 10 s).
  const started = Date.now()
  await t.rejects(npm.packument('hang'))
  t.ok(Date.now() - started < 5000, 'ended by the request deadline')
  await new Promise((r) => setImmediate(r))
  t.equal(held(stop.signal), 0, 'nothing kept after a timeout')

  // And by the site's stop.
  const pending = npm.request('/hang-too', { accept: 'application/json' })
  const failed = t.rejects(pending)
  await new Promise((r) => setTimeout(r, 50))
  t.equal(held(stop.signal), 1, 'the running request listens to the stop')
  stop.abort(new Error('stopping'))
  await failed
  await new Promise((r) => setImmediate(r))
  t.equal(held(stop.signal), 0, 'nothing kept after the stop')
})
