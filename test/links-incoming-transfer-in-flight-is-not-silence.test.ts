// An incoming link's peer counts as heard from while one of its requests is in flight: a blob that takes
// longer than three of the peer's intervals to arrive is no silence, and the link does not turn stale
// meanwhile. Once the request is done, the clock of silence starts from its end. Tokyo's clock is fake.
import { PassThrough } from 'node:stream'
import t from 'tap'
import { request } from 'undici'
import { healthOf } from './helpers/hub.ts'
import { startLinked } from './helpers/links.ts'
import { tempDir } from './helpers/sites.ts'
import { sha256 } from './helpers/stores.ts'
import { waitFor } from './helpers/sync.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'

const MINUTE = 60_000

t.test('a link with a transfer in flight is not stale', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'], clock: t.clock })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['london/*'], mode: 'push' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'push', repositories: ['london/*'], interval: '10m' }] })
  await london.engine('london').exchange()
  const state = async () => ((await healthOf(tokyo)).federation.links as Record<string, any>[]).find((l) => l.direction === 'incoming')!.state

  // London's upload of a blob, its first half sent, the rest held back.
  const bytes = Buffer.from('a blob that takes its time')
  const id = sha256(bytes)
  const body = new PassThrough()
  const upload = request(`${tokyo.url}/api/v1/federation/link/blobs/sha256:${id}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'fedgate-offset': '0', 'fedgate-size': String(bytes.length) }, body, dispatcher: tokyo.agent })
  body.write(bytes.subarray(0, 10))
  await waitFor('tokyo holds the first bytes', async () => (await tokyo.gw.service<FileBlobStore>('blobStore')!.partialSize(id)) > 0)

  t.clock.advance(31 * MINUTE)
  t.equal(await state(), 'ok', 'heard from all along while the upload is in flight')
  body.end(bytes.subarray(10))
  t.equal((await upload).statusCode, 201)
  t.clock.advance(30 * MINUTE)
  t.equal(await state(), 'ok', 'silence counts from the end of the upload')
  t.clock.advance(61 * 1000)
  t.equal(await state(), 'stale')
})
