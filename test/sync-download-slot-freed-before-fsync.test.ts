// With one download slot, the next blob's download starts once the previous blob's bytes are received,
// while that blob is still being made durable (fsync, rename): the network does not wait on the disk.
import t from 'tap'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { Secret } from '../gateway/config/secret.ts'
import { createRootClient } from '../gateway/upstream/root-client.ts'
import type { WriteOptions } from '../plugins/hub/model.ts'
import { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import { BlobFetcher } from '../plugins/sync/blob-fetcher.ts'
import { Upstream } from '../plugins/sync/upstream.ts'
import { publish, startRoot } from './helpers/hub.ts'
import { tempDir } from './helpers/sites.ts'

t.test('the download slot is given back before the fsync', async (t) => {
  const root = await startRoot(t)
  const images = []
  for (const tag of ['a', 'b']) {
    const r = await publish(root, root.publish, 'acme/app', tag, Buffer.alloc(300_000, tag))
    t.equal(r.status, 201)
    images.push({ id: String(r.body.id), size: 300_000, createdAt: '' })
  }
  const [a, b] = images as [(typeof images)[0], (typeof images)[0]]

  const client = createRootClient({ url: new URL(root.url), ca: join(root.dir, 'certs', 'ca.crt'), key: new Secret(root.read, 'test'), keyHeader: 'authorization', connectTimeout: 5000, headersTimeout: 5000 })
  t.teardown(() => client.close())
  const stop = new AbortController()
  const events: string[] = []
  const upstream = new Upstream(client, undefined, { requestTimeout: 5000, blobIdleTimeout: 5000, signal: stop.signal })
  const realBlob = upstream.blob.bind(upstream)
  let bRequested!: () => void
  const bStarted = new Promise<void>((r) => (bRequested = r))
  upstream.blob = (id: string, from: number) => {
    events.push(`request ${id === a.id ? 'a' : 'b'}`)
    if (id === b.id) bRequested()
    return realBlob(id, from)
  }

  // The real store; a's write is held after the store finishes it until b's download has begun. Were the
  // slot kept through the fsync, b could never begin and the bounded wait below would fail the test.
  const store = await new FileBlobStore(tempDir(t)).open()
  const realWrite = store.write.bind(store)
  store.write = async (id: string, source: Readable, o: WriteOptions = {}) => {
    const name = id === a.id ? 'a' : 'b'
    await realWrite(id, source, { ...o, onReceived: () => (events.push(`received ${name}`), o.onReceived?.()) })
    if (name === 'a') {
      const held = await Promise.race([bStarted.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))])
      t.ok(held, "b's download began while a was still being stored")
    }
    events.push(`stored ${name}`)
  }

  const fetcher = new BlobFetcher(store, upstream, 1)
  await Promise.all([fetcher.fetch(a, () => {}), fetcher.fetch(b, () => {})])
  // b's own bytes may arrive before or after a's fsync ends: only these orders are promised.
  const at = (e: string) => events.indexOf(e)
  t.same([...events].sort(), ['received a', 'received b', 'request a', 'request b', 'stored a', 'stored b'], 'each step once')
  t.ok(at('request a') < at('received a') && at('received a') < at('request b'), "b's download began once a's bytes were in")
  t.ok(at('request b') < at('stored a'), 'and before a was stored')
  t.ok(at('received b') < at('stored b'), 'b was stored after its bytes were in')
  t.ok((await store.has(a.id)) && (await store.has(b.id)), 'both blobs are stored and verified')
  stop.abort()
})
