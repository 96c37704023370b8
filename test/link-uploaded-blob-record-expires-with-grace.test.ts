// The record that a link uploaded a blob (kept in the index so a restart keeps it) lasts the blob's
// grace (store.collect.grace): past it the collector may remove the unreferenced blob, so the link is
// told it lacks it, and the record is swept from the index: records of blobs no change named do not
// pile up. Tokyo's clock is fake: its time is moved on, nobody waits for it.
import t from 'tap'
import { bearer } from './helpers/hub.ts'
import { startLinked } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'
import { sha256 } from './helpers/stores.ts'
import { waitFor } from './helpers/sync.ts'
import type { IndexStore } from '../plugins/hub/store/index.ts'

const LINK = '/api/v1/federation/link'
const MINUTE = 60_000

t.test('a link\'s record of a blob it uploaded ends with the blob\'s grace', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'], clock: t.clock, extra: 'store: { collect: { grace: 30m } }\n' })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['london/*'], mode: 'push' })).token
  const bytes = Buffer.from('never tagged')
  const id = sha256(bytes)
  const head = async () => (await fetchText(tokyo, `${LINK}/blobs/sha256:${id}`, { method: 'HEAD', headers: bearer(token) })).status
  const records = async () => {
    let n = 0
    for await (const _ of tokyo.gw.service<IndexStore>('index')!.scan('fed/uploaded/')) n++
    return n
  }

  t.equal((await fetchText(tokyo, `${LINK}/blobs/sha256:${id}`, { method: 'PUT', headers: { ...bearer(token), 'fedgate-offset': '0', 'fedgate-size': String(bytes.length) }, body: bytes })).status, 201)
  t.equal(await head(), 200, 'the link is told it holds the blob it sent')
  t.equal(await records(), 1, 'recorded in the index')
  t.clock.advance(29 * MINUTE)
  t.equal(await head(), 200, 'within the grace')
  t.clock.advance(MINUTE)
  t.equal(await head(), 404, 'past the grace the blob may be collected: the link is told it lacks it')
  await waitFor('the expired record swept from the index', async () => (await records()) === 0)
  t.pass('swept')
})
