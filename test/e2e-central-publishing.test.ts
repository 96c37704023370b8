// Scenario 1 of docs/federation.md, with real `fedgate start` processes: New York publishes; Tokyo and
// London pull from it over pull links (what `root:` + `repositories:` did, now expressed as links),
// deletes included, and neither can publish into New York's namespaces.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { startProcess } from './helpers/process.ts'
import { linksBefore, writeLinkedYaml } from './helpers/links.ts'
import { tempDir } from './helpers/sites.ts'
import { waitFor } from './helpers/sync.ts'

t.test('central publishing: one site publishes, two pull', async (t) => {
  const dir = tempDir(t)
  const nyFile = writeLinkedYaml('new-york', { dir, owns: ['acme/*'] })
  const ny = await linksBefore(nyFile, [
    { name: 'tokyo', repositories: ['acme/*'], mode: 'pull' },
    { name: 'london', repositories: ['acme/*'], mode: 'pull' },
  ])
  const newYork = await startProcess(t, nyFile)
  const pullers = []
  for (const [i, name] of ['tokyo', 'london'].entries()) {
    const file = writeLinkedYaml(name, { dir, owns: [`${name}/*`], links: [{ name, url: newYork.url, token: ny.tokens[i]!, mode: 'pull', repositories: ['acme/*'], interval: '300ms' }] })
    pullers.push({ name, site: await startProcess(t, file), keys: await linksBefore(file, []) })
  }
  const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8') } })
  t.teardown(() => agent.close())
  const call = async (url: string, path: string, o: { method?: 'GET' | 'PUT' | 'DELETE'; key?: string; body?: string } = {}) => {
    const res = await request(url + path, { method: o.method ?? 'GET', body: o.body, headers: o.key ? { authorization: `Bearer ${o.key}` } : {}, dispatcher: agent })
    return { status: res.statusCode, body: await res.body.text() }
  }

  t.equal((await call(newYork.url, '/api/v1/repos/acme/app/images/1.0', { method: 'PUT', key: ny.publish, body: 'v1' })).status, 201)
  t.equal((await call(newYork.url, '/api/v1/repos/acme/app/images/2.0', { method: 'PUT', key: ny.publish, body: 'v2' })).status, 201)
  for (const p of pullers) await waitFor(`${p.name} serves acme/app:2.0`, async () => (await call(p.site.url, '/api/v1/repos/acme/app/images/2.0/content')).body === 'v2', 30_000)
  t.pass('both pulled')

  t.equal((await call(newYork.url, '/api/v1/repos/acme/app/tags/1.0', { method: 'DELETE', key: ny.publish })).status, 204)
  for (const p of pullers) await waitFor(`${p.name} drops acme/app:1.0`, async () => !('1.0' in JSON.parse((await call(p.site.url, '/api/v1/repos/acme/app')).body).tags), 30_000)
  t.pass('the delete followed (pull applies deletes)')

  for (const p of pullers) {
    const r = await call(p.site.url, '/api/v1/repos/acme/app/images/3.0', { method: 'PUT', key: p.keys.publish, body: 'not yours' })
    t.equal(r.status, 409, `${p.name} refuses a publish to acme/app`)
    t.match(r.body, /owned by site new-york/, 'naming the owner')
  }
})
