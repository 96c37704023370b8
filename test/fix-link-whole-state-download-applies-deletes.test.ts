// When the peer's log is trimmed past a link's place in it (410), the link reads the peer's whole state.
// That state lists the repositories the peer serves, tombstones included, but a repository whose every
// tag was deleted is served no more, and its tombstones went missing with it: the downloading site kept
// serving its tags for ever, where reading the log would have deleted them. The whole state now carries
// such repositories' tombstones, applied by the same rule as the log's deletes: only where the link
// applies deletes (a custom link without deleteDownloaded keeps the tags, as it would from the log).
import t from 'tap'
import { bearer, publish } from './helpers/hub.ts'
import { startLinked } from './helpers/links.ts'
import { fetchText, tempDir, type TestSite } from './helpers/sites.ts'

const tags = async (site: TestSite, repo: string) => {
  const r = await fetchText(site, `/api/v1/repos/${repo}`)
  return r.status === 200 ? Object.keys(JSON.parse(r.body).tags as Record<string, string>).sort() : []
}

t.test('a whole-state download applies the deletes of a repository emptied at the peer', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'], hub: 'stream: { enabled: false }', extra: 'store: { changeLogKeep: 2 }\n' })
  const pullToken = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*'], mode: 'pull' })).token
  const keepToken = (await tokyo.links.create({ name: 'berlin', repositories: ['tokyo/*'], mode: 'custom', custom: { download: true } })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token: pullToken, mode: 'pull', repositories: ['tokyo/*'] }] })
  const berlin = await startLinked(t, 'berlin', { dir, owns: ['berlin/*'], links: [{ name: 'berlin', url: tokyo.url, token: keepToken, mode: 'custom', repositories: ['tokyo/*'], extra: '    download: true\n' }] })
  const put = async (repo: string, tag: string) => t.equal((await publish(tokyo, tokyo.publish, repo, `${tag}?latest=false`, `${repo}:${tag}`)).status, 201, `${repo}:${tag}`)
  await put('tokyo/app', '1.0')
  await put('tokyo/app', '2.0')
  await put('tokyo/lib', '1.0')
  await london.engine('london').exchange()
  await berlin.engine('berlin').exchange()
  t.same(await tags(london, 'tokyo/app'), ['1.0', '2.0'], 'london holds tokyo/app')

  for (const tag of ['1.0', '2.0']) t.equal((await fetchText(tokyo, `/api/v1/repos/tokyo/app/tags/${tag}`, { method: 'DELETE', headers: bearer(tokyo.publish) })).status, 204)
  for (let i = 0; i < 4; i++) await put('tokyo/pad', `${i}`) // past the 2 log entries tokyo keeps
  const feed = await fetchText(tokyo, '/api/v1/federation/link/changes?since=3&peer=london', { headers: bearer(pullToken) })
  t.equal(feed.status, 410, 'tokyo\'s log no longer reaches back to where london is')

  await london.engine('london').exchange()
  await berlin.engine('berlin').exchange()
  t.same(await tags(london, 'tokyo/app'), [], 'london applied the deletes')
  t.same(await tags(london, 'tokyo/pad'), ['0', '1', '2', '3'], 'and the sets')
  t.same(await tags(london, 'tokyo/lib'), ['1.0'], 'and kept what tokyo still has')
  t.same(await tags(berlin, 'tokyo/app'), ['1.0', '2.0'], 'a link that applies no deletes keeps the tags')
})
