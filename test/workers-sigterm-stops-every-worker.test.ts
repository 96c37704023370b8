// `fedgate start --workers 2` (a real process): SIGTERM to the primary stops every worker gracefully
// (each logs its stop), then the primary exits with 0; no worker is left running.
import t from 'tap'
import { once } from 'node:events'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { tempDir } from './helpers/sites.ts'
import { keysBefore, startProcess } from './helpers/process.ts'
import { waitFor } from './helpers/sync.ts'

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

t.test('SIGTERM to the primary stops every worker', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'site.yaml')
  writeFileSync(file, 'site: { name: stopping, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\nworkers: 2\n')
  const [adminKey] = await keysBefore(file, [{ name: 'ops', scope: 'admin' }])
  const site = await startProcess(t, file)
  await waitFor('both workers listen', () => site.lines.filter((l) => l.msg === 'fedgate listening').length === 2)
  const ca = readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8')
  const pids = new Set<number>()
  for (let i = 0; i < 40 && pids.size < 2; i++) {
    const agent = new Agent({ connect: { ca } })
    const res = await request(`${site.url}/health`, { dispatcher: agent, headers: { authorization: `Bearer ${adminKey}` } })
    pids.add(((await res.body.json()) as { process: { pid: number } }).process.pid)
    await agent.close()
  }
  t.equal(pids.size, 2, 'two workers answer')

  const exited = once(site.proc, 'exit')
  site.proc.kill('SIGTERM')
  const [code] = (await exited) as [number | null]
  t.equal(code, 0, 'the primary exits with 0')
  t.equal(site.lines.filter((l) => l.msg === 'stopped').length, 2, 'each worker stopped gracefully')
  await waitFor('no worker is left', () => [...pids].every((p) => !alive(p)))
})
