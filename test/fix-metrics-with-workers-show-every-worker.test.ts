// With `--workers 2`, a scrape reaches one worker, and each worker's figures were its own: /metrics showed
// the sync leader at one scrape and none at the next, and counters that went back as scrapes alternated.
// A worker now answers with every ready worker's series, gathered by the primary, each labelled with its
// worker: every scrape shows both, and exactly one leader.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { tempDir } from './helpers/sites.ts'
import { keysBefore } from './helpers/process.ts'
import { startNode, writeNode, type NodeOptions } from './helpers/nodes.ts'
import { blobBytes, publish, startRoot, waitFor } from './helpers/sync.ts'

t.test('every scrape of a two-worker site shows both workers and one leader', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(1000, 1))
  const o: NodeOptions = { dir, name: 'site', rootUrl: root.url, key: root.readKey, redisUrl: 'embedded', args: ['--workers', '2'], extra: 'repositories: [acme/app]\nsync: { interval: 1h }\n' }
  const [adminKey] = await keysBefore(writeNode(o), [{ name: 'ops', scope: 'admin' }])
  const site = await startNode(t, o)
  await waitFor('both workers listen', () => site.lines.filter((l) => l.msg === 'fedgate listening').length === 2)
  const ca = readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8')
  const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN)

  let served = 0
  for (let i = 0; i < 6; i++) {
    // A fresh connection each time: the primary hands them to the workers in turn.
    const agent = new Agent({ connect: { ca }, connections: 1 })
    const res = await request(`${site.url}/metrics`, { dispatcher: agent, headers: { authorization: `Bearer ${adminKey}` } })
    const text = await res.body.text()
    await agent.close()
    t.equal(res.statusCode, 200, `scrape ${i + 1} answered`)
    const leaders = [value(text, 'fedgate_sync_leader{worker="0"}'), value(text, 'fedgate_sync_leader{worker="1"}')]
    t.ok(leaders.every((n) => n === 0 || n === 1), `scrape ${i + 1} has both workers' series: ${leaders}`)
    t.equal(leaders[0]! + leaders[1]!, 1, `scrape ${i + 1}: one leader among them`)
    const requests = [0, 1].map((w) => value(text, `fedgate_requests_total{stage="gateway",status_class="2xx",worker="${w}"}`))
    const total = requests.reduce((a, b) => a + (Number.isNaN(b) ? 0 : b), 0)
    t.ok(total >= served, `scrape ${i + 1}: the site's scrapes counted do not go back (${total} ≥ ${served})`)
    served = total
  }
})
