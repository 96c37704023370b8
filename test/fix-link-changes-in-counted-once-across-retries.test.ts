// A link's `changes.in` counted each page of the peer's log as it was read, before it was applied: an
// exchange that failed after the read (a blob that would not verify) and was tried again counted the
// same page again on every try. It now counts the changes a commit applied here, so each once.
import t from 'tap'
import { publish } from './helpers/hub.ts'
import { linkStatus, spoilBlob, startLinked } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'

t.test('a page read again after failed exchanges is counted once', async (t) => {
  const dir = tempDir(t)
  // No hot tier: tokyo reads the blob from disk each time (the bad bytes would stay in memory).
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'], hub: 'stream: { enabled: false }', extra: 'store: { hotBlobMax: 0 }\n' })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*'], mode: 'pull' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'pull', repositories: ['tokyo/*'], extra: '    retry: 1h\n' }] })
  t.equal((await publish(tokyo, tokyo.publish, 'tokyo/app', '1.0?latest=false', 'v1')).status, 201)

  // Tokyo's copy of the blob goes bad: london reads the page, then cannot verify the blob it names.
  const restore = spoilBlob(tokyo, 'v1')
  await t.rejects(london.engine('london').exchange(), 'the exchange fails')
  await t.rejects(london.engine('london').exchange(), 'and again')
  t.equal((await linkStatus(london, 'outgoing')).changes.in, 0, 'nothing applied, nothing counted')

  restore()
  await london.engine('london').exchange()
  t.equal((await fetchText(london, '/api/v1/repos/tokyo/app/images/1.0/content')).body, 'v1', 'the change arrived')
  t.equal((await linkStatus(london, 'outgoing')).changes.in, 1, 'and counts once')
  await london.engine('london').exchange()
  t.equal((await linkStatus(london, 'outgoing')).changes.in, 1, 'a later exchange with nothing new adds nothing')
})
