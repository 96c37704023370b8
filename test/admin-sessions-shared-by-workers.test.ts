// `fedgate start --workers 2` (a real process): a sign-in made on one worker is known to every worker
// (sessions live in the site's index), and a sign-out on one is seen by all. Every request goes on a
// new connection, which the primary hands to the workers in turn.
import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { tempDir } from './helpers/sites.ts'
import { keysBefore, startProcess } from './helpers/process.ts'
import { waitFor } from './helpers/sync.ts'

t.test('every worker knows a sign-in and a sign-out made on another', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'site.yaml')
  writeFileSync(file, 'site: { name: shared, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\nworkers: 2\n')
  const [adminKey] = await keysBefore(file, [{ name: 'ops', scope: 'admin' }])
  const site = await startProcess(t, file)
  await waitFor('both workers listen', () => site.lines.filter((l) => l.msg === 'fedgate listening').length === 2)
  const ca = readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8')

  /** One request on a connection of its own; the answering worker's pid comes from /health. */
  const once = async (path: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}) => {
    const agent = new Agent({ connect: { ca }, pipelining: 0 })
    try {
      const res = await request(site.url + path, { dispatcher: agent, method: (o.method ?? 'GET') as 'GET', headers: { connection: 'close', ...o.headers }, body: o.body })
      return { status: res.statusCode, headers: res.headers, body: await res.body.text() }
    } finally {
      await agent.close()
    }
  }
  const pidOf = async () => JSON.parse((await once('/health', { headers: { authorization: `Bearer ${adminKey}` } })).body).process.pid as number

  const signedIn = await once('/admin/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: site.url },
    body: new URLSearchParams({ key: adminKey! }).toString(),
  })
  t.equal(signedIn.status, 303, 'signed in')
  const cookie = String(signedIn.headers['set-cookie']).split(';')[0]!
  const csrf = /<meta name="csrf" content="([^"]+)">/.exec((await once('/admin', { headers: { cookie } })).body)?.[1]
  t.ok(csrf, 'the signed-in page (on whichever worker) carries the CSRF token')

  // Two state reads, then /health (to learn which worker answered): with connections handed out in
  // turn, a period of three sends the reads and the health checks to both workers.
  const pids = new Set<number>()
  const statuses: number[] = []
  for (let i = 0; i < 15 && (pids.size < 2 || statuses.length < 12); i++) {
    for (let j = 0; j < 2; j++) statuses.push((await once('/admin/api/state', { headers: { cookie } })).status)
    pids.add(await pidOf())
  }
  t.equal(pids.size, 2, 'two workers answered')
  t.same(new Set(statuses), new Set([200]), `every one of ${statuses.length} reads on new connections saw the session`)

  const out = await once('/admin/api/sign-out', { method: 'POST', headers: { cookie, 'x-fedgate-csrf': csrf!, origin: site.url, 'sec-fetch-site': 'same-origin' } })
  t.equal(out.status, 200, 'signed out')
  const after: number[] = []
  for (let i = 0; i < 10; i++) after.push((await once('/admin/api/state', { headers: { cookie } })).status)
  t.same(new Set(after), new Set([401]), 'no worker knows the session any more')
})
