// An upload whose place in this site's log was trimmed away sends this site's whole state instead. Like
// the peer's whole state for a download, it listed only the repositories served here, so one whose every
// tag was deleted was left out with its tombstones: the peer kept serving those tags for ever, where the
// log would have deleted them. The whole state now carries them.
import t from 'tap'
import { bearer, publish } from './helpers/hub.ts'
import { startLinked } from './helpers/links.ts'
import { fetchText, tempDir, type TestSite } from './helpers/sites.ts'

const tags = async (site: TestSite, repo: string) => {
  const r = await fetchText(site, `/api/v1/repos/${repo}`)
  return r.status === 200 ? Object.keys(JSON.parse(r.body).tags as Record<string, string>).sort() : []
}

t.test('a whole-state upload sends the deletes of a repository emptied here', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['london/*'], mode: 'push' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], hub: 'stream: { enabled: false }', extra: 'store: { changeLogKeep: 2 }\n', links: [{ name: 'london', url: tokyo.url, token, mode: 'push', repositories: ['london/*'], extra: '    retry: 1h\n' }] })
  const put = async (repo: string, tag: string) => t.equal((await publish(london, london.publish, repo, `${tag}?latest=false`, `${repo}:${tag}`)).status, 201, `${repo}:${tag}`)
  await put('london/app', '1.0')
  await put('london/app', '2.0')
  await london.engine('london').exchange()
  t.same(await tags(tokyo, 'london/app'), ['1.0', '2.0'], 'tokyo holds london/app')

  // Cut meanwhile: each commit here starts an upload at once, which would keep tokyo's place in the log.
  await tokyo.links.setDisabled('london', true)
  for (const tag of ['1.0', '2.0']) t.equal((await fetchText(london, `/api/v1/repos/london/app/tags/${tag}`, { method: 'DELETE', headers: bearer(london.publish) })).status, 204)
  for (let i = 0; i < 4; i++) await put('london/pad', `${i}`) // past the 2 log entries london keeps
  await tokyo.links.setDisabled('london', false)
  await london.engine('london').exchange()
  t.same(await tags(tokyo, 'london/pad'), ['0', '1', '2', '3'], 'the whole state went (the sets)')
  t.same(await tags(tokyo, 'london/app'), [], 'with the deletes')
})
