// The sync's collection spares unreferenced blobs younger than its grace (another process may be about to
// commit one). While this process leads, it comes back for them when the first passes the grace, not a
// whole grace later; once it stops leading, it sets nothing more.
import t, { type Test } from 'tap'
import pino from 'pino'
import { utimesSync } from 'node:fs'
import { SyncEngine, type EngineDeps } from '../plugins/sync/engine.ts'
import { openTestStores, storeImage } from './helpers/stores.ts'
import { waitFor } from './helpers/sync.ts'

const GRACE = 60 * 60_000

async function setUp(t: Test) {
  const { blobStore, repositoryStore } = await openTestStores(t)
  const engine = new SyncEngine({ repos: repositoryStore, blobs: blobStore, log: pino({ level: 'silent' }), clock: t.clock, collect: true, partialMaxAge: 86_400_000, collectGrace: GRACE } as unknown as EngineDeps)
  const image = await storeImage(blobStore, 'a deleted tag\'s image, stored 50 minutes ago')
  let stored = Date.now() - 50 * 60_000
  const storedAt = () => utimesSync(blobStore.path(image.id), stored / 1000, stored / 1000)
  storedAt()
  /** Time passes for the engine's clock and for the file times (the wall clock's) alike. */
  const pass = (ms: number) => {
    stored -= ms
    storedAt()
    t.clock.advance(ms)
  }
  return { engine, blobStore, id: image.id, pass }
}

t.test('a spared blob is collected when it passes the grace', async (t) => {
  const { engine, blobStore, id, pass } = await setUp(t)
  engine.startCollecting()
  t.equal(await engine.collect(), 0, 'younger than the grace: spared')

  pass(9 * 60_000)
  await blobStore.pins.exclusive(async () => {})
  t.ok(await blobStore.has(id), 'still there before it comes of age')
  pass(60_000)
  await waitFor('the collection that comes back for it', async () => !(await blobStore.has(id)))
  t.pass('removed ten minutes on, once past the grace')
})

t.test('a process that stops leading does not come back', async (t) => {
  const { engine, blobStore, id, pass } = await setUp(t)
  engine.startCollecting()
  t.equal(await engine.collect(), 0, 'spared')
  engine.stopCollecting()
  pass(2 * GRACE)
  await new Promise((r) => setImmediate(r))
  await blobStore.pins.exclusive(async () => {})
  t.ok(await blobStore.has(id), 'no collection ran')
})
