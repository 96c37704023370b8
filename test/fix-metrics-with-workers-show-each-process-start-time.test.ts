// With `--workers 2`, /metrics is gathered by the primary from every worker (prom-client's aggregation),
// and prom-client leaves out what it cannot merge across processes: fedgate_process_start_time_seconds
// was missing, so a worker's restart could not be seen. Each worker's series carries its own label, so
// none needs merging: every scrape shows each worker's start time.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { tempDir } from './helpers/sites.ts'
import { keysBefore } from './helpers/process.ts'
import { startNode, writeNode, type NodeOptions } from './helpers/nodes.ts'
import { startRoot, waitFor } from './helpers/sync.ts'

t.test("a two-worker site's scrape shows each worker's process start time", async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const o: NodeOptions = { dir, name: 'site', rootUrl: root.url, key: root.readKey, redisUrl: 'embedded', args: ['--workers', '2'], extra: 'sync: { interval: 1h }\n' }
  const [adminKey] = await keysBefore(writeNode(o), [{ name: 'ops', scope: 'admin' }])
  const before = Date.now() / 1000
  const site = await startNode(t, o)
  await waitFor('both workers listen', () => site.lines.filter((l) => l.msg === 'fedgate listening').length === 2)
  const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8') }, connections: 1 })
  t.teardown(() => agent.close())
  const res = await request(`${site.url}/metrics`, { dispatcher: agent, headers: { authorization: `Bearer ${adminKey}` } })
  const text = await res.body.text()
  t.equal(res.statusCode, 200)
  for (const w of ['0', '1']) {
    const started = Number(new RegExp(`^fedgate_process_start_time_seconds\\{worker="${w}"\\} (\\S+)$`, 'm').exec(text)?.[1])
    t.ok(started >= Math.floor(before) && started <= Date.now() / 1000, `worker ${w}'s start time is there, when it started (${started})`)
  }
})
