// With `--workers 2` only the worker holding the sync lease syncs, so only it knew the repositories'
// states: the other answered the federation status with no repositories, none of the entries added at
// run time and the change stream "off", and its /health said 0 in sync. Every worker now answers with
// the leader's status (the follower says whose, and from when).
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { tempDir } from './helpers/sites.ts'
import { keysBefore } from './helpers/process.ts'
import { startNode, writeNode, type NodeOptions } from './helpers/nodes.ts'
import { blobBytes, publish, startRoot, waitFor } from './helpers/sync.ts'

/** Answers read, each on a connection of its own: the primary hands connections to the workers in turn. */
const ANSWERS = 8

interface Status {
  entries: string[]
  upstream: { leader: boolean; stream: { state: string } }
  repos: { name: string; state: string }[]
  statusFrom?: { holder: string; at: string }
}

t.test("every worker answers the federation status and /health with the sync leader's status", async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(5000, 1))
  const o: NodeOptions = { dir, name: 'site', rootUrl: root.url, key: root.readKey, redisUrl: 'embedded', args: ['--workers', '2'], extra: 'sync: { interval: 1h }\n' }
  const [adminKey] = await keysBefore(writeNode(o), [{ name: 'ops', scope: 'admin' }])
  const site = await startNode(t, o)
  await waitFor('both workers listen', () => site.lines.filter((l) => l.msg === 'fedgate listening').length === 2)
  const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8') } })
  t.teardown(() => agent.close())
  const auth = { authorization: `Bearer ${adminKey}` }
  const get = async <T>(path: string): Promise<T> => {
    const res = await request(site.url + path, { dispatcher: agent, headers: auth, reset: true })
    return (await res.body.json()) as T
  }
  // Added at run time, at whichever worker: only the leader syncs it.
  const added = await waitFor('the leader takes the entry', async () => {
    const res = await request(`${site.url}/api/v1/admin/repos`, { dispatcher: agent, method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'acme/app' }), reset: true })
    await res.body.dump()
    return res.statusCode === 201 || res.statusCode === 200 ? true : undefined
  })
  t.ok(added)
  const answers = (await waitFor(`${ANSWERS} answers in a row show it in sync`, async () => {
    const all: Status[] = []
    for (let i = 0; i < ANSWERS; i++) all.push(await get<Status>('/api/v1/federation/status'))
    return all.every((s) => s.repos.some((r) => r.name === 'acme/app' && r.state === 'in-sync')) ? all : undefined
  }))!
  t.ok(
    answers.every((s) => s.entries.includes('acme/app') && s.upstream.stream.state === 'live'),
    'each lists the entry added at run time and the live change stream',
  )
  const followers = answers.filter((s) => s.statusFrom !== undefined)
  t.ok(followers.length > 0 && followers.length < ANSWERS, 'both workers answered: the leader, and the other with statusFrom')
  t.ok(followers.every((s) => s.upstream.leader === false && typeof s.statusFrom!.holder === 'string'), 'the follower says it does not lead, and whose status it shows')

  const healths: { sync: Record<string, unknown> }[] = []
  for (let i = 0; i < ANSWERS; i++) healths.push(await get('/health'))
  t.ok(
    healths.every((h) => h.sync['in-sync'] === 1 && h.sync.entries === 1 && (h.sync.stream as { state: string }).state === 'live'),
    "each worker's /health counts the repository in sync",
  )
  t.ok(new Set(healths.map((h) => h.sync.leader)).size === 2, '/health answered by both workers')
})
