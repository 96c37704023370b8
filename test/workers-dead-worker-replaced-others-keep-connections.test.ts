// `fedgate start --workers 2` (a real process): two workers share the HTTPS listener and each answers
// /health itself; a worker killed with SIGKILL is replaced, while a kept-alive connection to the other
// worker goes on being answered on the same socket.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { tempDir } from './helpers/sites.ts'
import { keysBefore } from './helpers/process.ts'
import { startNode, writeNode, type NodeOptions } from './helpers/nodes.ts'
import { startRoot, waitFor } from './helpers/sync.ts'

t.test('a dead worker is replaced and the other keeps its connections', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const o: NodeOptions = { dir, name: 'site', rootUrl: root.url, key: root.readKey, redisUrl: 'embedded', args: ['--workers', '2'], extra: 'limits: { keepAliveTimeout: 60s }\n' }
  const [adminKey] = await keysBefore(writeNode(o), [{ name: 'ops', scope: 'admin' }])
  const site = await startNode(t, o)
  await waitFor('both workers listen', () => site.lines.filter((l) => l.msg === 'fedgate listening').length === 2)
  const ca = readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8')

  /** One kept-alive connection; the worker that answers it reports its pid (and the socket's local port). */
  const connection = () => {
    const agent = new Agent({ connect: { ca }, connections: 1, keepAliveTimeout: 60_000 })
    t.teardown(() => agent.destroy())
    return async () => {
      const res = await request(`${site.url}/health`, { dispatcher: agent, headers: { authorization: `Bearer ${adminKey}` } })
      t.equal(res.statusCode, 200)
      return (((await res.body.json()) as { process: { pid: number } }).process.pid)
    }
  }
  // New connections go to the workers in turn: bounded tries until two workers answered.
  const byPid = new Map<number, () => Promise<number>>()
  for (let i = 0; i < 40 && byPid.size < 2; i++) {
    const ask = connection()
    byPid.set(await ask(), ask)
  }
  t.equal(byPid.size, 2, 'two workers answer on one port')
  const [[victim], [survivor, kept]] = [...byPid.entries()] as [[number, unknown], [number, () => Promise<number>]]

  process.kill(victim, 'SIGKILL')
  t.equal(await kept(), survivor, 'the other worker answers on its kept-alive connection')
  await waitFor('the primary replaced the worker', () => site.lines.some((l) => l.msg === 'a worker ended; starting its replacement'))
  const seen = new Set<number>()
  await waitFor('a new worker answers', async () => {
    const pid = await connection()()
    seen.add(pid)
    return pid !== survivor && pid !== victim
  })
  t.equal(await kept(), survivor, 'still on the same connection')
  t.notOk(seen.has(victim), 'the dead worker never answered again')
})
