// A link reads its peer's log a page at a time (hub.changesLimit changes). It fetched the image each page's
// last change of a tag names, though a later page had replaced that tag: the peer no longer serves such a
// blob (it serves those its snapshots reference), answered 404, and the link failed on that page for ever
// (with the default 1000, any backlog of over 1000 changes with a rewritten `nightly`). Pages are now
// applied ten at a time, so a tag replaced within them needs only its last image; a replacement further
// on makes the link read the peer's whole state instead. Both are here: `nightly` is replaced twice, once
// within a batch and once past it.
import t from 'tap'
import { fetchText, tempDir } from './helpers/sites.ts'
import { publish } from './helpers/hub.ts'
import { startLinked } from './helpers/links.ts'

t.test('a paged backlog whose tags were replaced later in it is downloaded whole', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'], hub: 'changesLimit: 2, stream: { enabled: false }' })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*'], mode: 'pull' })).token
  const put = async (repo: string, tag: string, bytes: string) => t.equal((await publish(tokyo, tokyo.publish, repo, `${tag}?latest=false`, bytes)).status, 201, `${repo}:${tag} = ${bytes}`)
  // The backlog london finds at its first exchange, 2 changes a page:
  await put('tokyo/app', 'nightly', 'build-1')
  await put('tokyo/app', 'nightly', 'build-2') // replaced within the first batch of pages
  for (let i = 0; i < 24; i++) await put('tokyo/pad', `${i}`, `pad ${i}`) // 12 pages
  await put('tokyo/app', 'nightly', 'build-3') // replaces build-2 from beyond that batch
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'pull', repositories: ['tokyo/*'] }] })
  await london.engine('london').exchange()
  const nightly = await fetchText(london, '/api/v1/repos/tokyo/app/images/nightly/content')
  t.equal(nightly.body, 'build-3', 'london has the last nightly')
  const pads = await Promise.all([0, 11, 23].map(async (i) => (await fetchText(london, `/api/v1/repos/tokyo/pad/images/${i}/content`)).body))
  t.same(pads, ['pad 0', 'pad 11', 'pad 23'], 'and every other tag of the backlog')
  await london.engine('london').exchange()
  t.equal((await fetchText(london, '/api/v1/repos/tokyo/app/images/nightly/content')).body, 'build-3', 'the next exchange goes on from there')
})
