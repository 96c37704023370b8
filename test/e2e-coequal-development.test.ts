// Scenario 2 of docs/federation.md, with real `fedgate start` processes: Tokyo and London both publish,
// each in the namespaces it owns; London connects out to Tokyo with one mirror link. Each serves the
// other's repositories from its own store, and keeps serving them while the other is down.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { startProcess } from './helpers/process.ts'
import { linksBefore, writeLinkedYaml } from './helpers/links.ts'
import { tempDir } from './helpers/sites.ts'
import { waitFor } from './helpers/sync.ts'

const REPOS = ['tokyo/*', 'london/*']

t.test('coequal development: each site serves the other\'s repositories, also while the other is down', async (t) => {
  const dir = tempDir(t)
  const tokyoFile = writeLinkedYaml('tokyo', { dir, owns: ['tokyo/*'] })
  const tk = await linksBefore(tokyoFile, [{ name: 'london', repositories: REPOS, mode: 'mirror' }])
  let tokyo = await startProcess(t, tokyoFile)
  const londonFile = writeLinkedYaml('london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token: tk.tokens[0]!, mode: 'mirror', repositories: REPOS, interval: '300ms' }] })
  const ld = await linksBefore(londonFile, [])
  let london = await startProcess(t, londonFile)

  const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8') } })
  t.teardown(() => agent.close())
  const get = async (url: string, path: string) => {
    const res = await request(url + path, { dispatcher: agent }).catch(() => undefined)
    return res ? { status: res.statusCode, body: await res.body.text() } : { status: 0, body: '' }
  }
  const put = async (url: string, key: string, path: string, body: string) => {
    const res = await request(url + path, { method: 'PUT', body, headers: { authorization: `Bearer ${key}` }, dispatcher: agent })
    return { status: res.statusCode, body: await res.body.text() }
  }

  t.equal((await put(tokyo.url, tk.publish, '/api/v1/repos/tokyo/app/images/1.0', 'made in tokyo')).status, 201)
  t.equal((await put(london.url, ld.publish, '/api/v1/repos/london/app/images/1.0', 'made in london')).status, 201)

  await waitFor('london serves tokyo/app', async () => (await get(london.url, '/api/v1/repos/tokyo/app/images/1.0/content')).body === 'made in tokyo', 30_000)
  await waitFor('tokyo serves london/app', async () => (await get(tokyo.url, '/api/v1/repos/london/app/images/1.0/content')).body === 'made in london', 30_000)
  const refused = await put(tokyo.url, tk.publish, '/api/v1/repos/london/app/images/2.0', 'not tokyo\'s')
  t.equal(refused.status, 409, 'tokyo refuses a publish to london\'s namespace')
  t.match(refused.body, /owned by site london/, 'naming the owner')

  await tokyo.kill()
  t.equal((await get(london.url, '/api/v1/repos/tokyo/app/images/1.0/content')).body, 'made in tokyo', 'london serves tokyo/app while tokyo is down')
  t.equal((await put(london.url, ld.publish, '/api/v1/repos/london/app/images/1.1', 'published while tokyo is down')).status, 201, 'and keeps publishing its own')

  tokyo = await startProcess(t, writeLinkedYaml('tokyo', { dir, owns: ['tokyo/*'] }))
  // Tokyo came back on another port: London's link follows it once restarted with the new URL.
  await london.kill()
  t.equal((await get(tokyo.url, '/api/v1/repos/london/app/images/1.0/content')).body, 'made in london', 'tokyo serves london/app while london is down')
  london = await startProcess(t, writeLinkedYaml('london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token: tk.tokens[0]!, mode: 'mirror', repositories: REPOS, interval: '300ms' }] }))
  await waitFor('what london published while tokyo was down reaches tokyo', async () => (await get(tokyo.url, '/api/v1/repos/london/app/images/1.1/content')).body === 'published while tokyo is down', 30_000)
  t.pass('converged after both outages')
})
