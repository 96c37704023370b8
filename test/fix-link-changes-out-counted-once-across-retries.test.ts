// The serving side of a link counted `changes.out` on every page request: a downloader whose exchange
// failed after reading the pages (a blob that would not verify) read them again on every try, and each
// read counted the same changes again. Each change served on a link now counts once.
import t from 'tap'
import { publish } from './helpers/hub.ts'
import { linkStatus, spoilBlob, startLinked } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'

t.test('pages served again after failed exchanges are counted once', async (t) => {
  const dir = tempDir(t)
  // No hot tier: tokyo reads the blob from disk each time (the bad bytes would stay in memory). One
  // change a page: the count holds across pages.
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'], hub: 'stream: { enabled: false }, changesLimit: 1', extra: 'store: { hotBlobMax: 0 }\n' })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*'], mode: 'pull' })).token
  // London's clock stands still and it follows no stream: only the exchanges run here happen.
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], clock: t.clock, hub: 'stream: { enabled: false }', links: [{ name: 'london', url: tokyo.url, token, mode: 'pull', repositories: ['tokyo/*'] }] })
  t.equal((await publish(tokyo, tokyo.publish, 'tokyo/app', '1.0?latest=false', 'v1')).status, 201)
  t.equal((await publish(tokyo, tokyo.publish, 'tokyo/lib', '1.0?latest=false', 'l1')).status, 201)

  // Tokyo's copy of one blob goes bad: london reads the pages, then cannot verify the blob.
  const restore = spoilBlob(tokyo, 'v1')
  await t.rejects(london.engine('london').exchange(), 'the exchange fails')
  await t.rejects(london.engine('london').exchange(), 'and again')
  t.equal((await linkStatus(tokyo, 'incoming')).changes.out, 2, 'the two changes were sent, and count once')

  restore()
  await london.engine('london').exchange()
  t.equal((await fetchText(london, '/api/v1/repos/tokyo/app/images/1.0/content')).body, 'v1', 'the changes arrived')
  t.equal((await linkStatus(tokyo, 'incoming')).changes.out, 2, 'sending them again counted nothing')

  t.equal((await publish(tokyo, tokyo.publish, 'tokyo/app', '2.0?latest=false', 'v2')).status, 201)
  await london.engine('london').exchange()
  t.equal((await linkStatus(tokyo, 'incoming')).changes.out, 3, 'a new change counts')
})
