// Scenario 3 of docs/federation.md, with real `fedgate start` processes: Los Angeles publishes; New York
// pulls from Los Angeles and is itself the site Tokyo, London and Berlin pull from. A publish in Los
// Angeles reaches all of them, and is refused anywhere else with the owner named.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { startProcess } from './helpers/process.ts'
import { linksBefore, writeLinkedYaml } from './helpers/links.ts'
import { tempDir } from './helpers/sites.ts'
import { waitFor } from './helpers/sync.ts'

const LEAVES = ['tokyo', 'london', 'berlin']

t.test('global distribution: a chain of pull links', async (t) => {
  const dir = tempDir(t)
  const laFile = writeLinkedYaml('los-angeles', { dir, owns: ['la/*'] })
  const la = await linksBefore(laFile, [{ name: 'new-york', repositories: ['la/*'], mode: 'pull' }])
  const losAngeles = await startProcess(t, laFile)
  const nyFile = writeLinkedYaml('new-york', { dir, owns: ['ny/*'], links: [{ name: 'new-york', url: losAngeles.url, token: la.tokens[0]!, mode: 'pull', repositories: ['la/*'], interval: '300ms' }] })
  const ny = await linksBefore(nyFile, LEAVES.map((name) => ({ name, repositories: ['la/*'], mode: 'pull' as const })))
  const newYork = await startProcess(t, nyFile)
  const leaves = []
  for (const [i, name] of LEAVES.entries()) {
    const file = writeLinkedYaml(name, { dir, links: [{ name, url: newYork.url, token: ny.tokens[i]!, mode: 'pull', repositories: ['la/*'], interval: '300ms' }] })
    leaves.push({ name, site: await startProcess(t, file) })
  }
  const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8') } })
  t.teardown(() => agent.close())
  const call = async (url: string, path: string, o: { method?: 'GET' | 'PUT'; key?: string; body?: string } = {}) => {
    const res = await request(url + path, { method: o.method ?? 'GET', body: o.body, headers: o.key ? { authorization: `Bearer ${o.key}` } : {}, dispatcher: agent })
    return { status: res.statusCode, body: await res.body.text() }
  }

  t.equal((await call(losAngeles.url, '/api/v1/repos/la/app/images/1.0', { method: 'PUT', key: la.publish, body: 'from LA' })).status, 201)
  await waitFor('new york serves la/app', async () => (await call(newYork.url, '/api/v1/repos/la/app/images/1.0/content')).body === 'from LA', 30_000)
  for (const l of leaves) await waitFor(`${l.name} serves la/app`, async () => (await call(l.site.url, '/api/v1/repos/la/app/images/1.0/content')).body === 'from LA', 30_000)
  t.pass('a publish in Los Angeles reached every site')

  const r = await call(newYork.url, '/api/v1/repos/la/app/images/2.0', { method: 'PUT', key: ny.publish, body: 'not new york\'s' })
  t.equal(r.status, 409, 'new york refuses a publish to la/*')
  t.match(r.body, /owned by site los-angeles/)
})
