// systemd's default stop sends SIGTERM to the whole process group: each worker got it, and then the
// primary's own SIGTERM, which met the default action (the worker's handler was a `once`) and killed it,
// cutting the answers in flight. A worker keeps its handler for the whole stop and ignores a repeated
// signal: a forwarded answer in flight through `fedgate start --workers 2` completes whole, and every
// worker logs its graceful stop.
import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { childYaml, startOrigin, tempDir, writeSecret } from './helpers/sites.ts'
import { startProcess } from './helpers/process.ts'
import { waitFor } from './helpers/sync.ts'

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

t.test('SIGTERM to the whole group: the workers drain what is in flight', async (t) => {
  let release!: () => void
  const released = new Promise<void>((r) => (release = r))
  let arrived!: () => void
  const arrivedAtOrigin = new Promise<void>((r) => (arrived = r))
  const origin = await startOrigin(t, (req, res) => {
    if (req.url !== '/slow') return res.end('ok') // probes, sync
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.write('first half, ')
    arrived()
    void released.then(() => res.end('second half'))
  })
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_group_' + 'g'.repeat(30))
  const file = join(dir, 'site.yaml')
  writeFileSync(file, childYaml('group', origin.url, '  health: { interval: 1h }\nshutdown: { grace: 1m }\nworkers: 2\n'))
  // A group of its own, as systemd starts a service.
  const site = await startProcess(t, file, { detached: true })
  await waitFor('both workers listen', () => site.lines.filter((l) => l.msg === 'fedgate listening').length === 2)

  const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8') } })
  t.teardown(() => agent.destroy())
  const res = await request(`${site.url}/slow`, { dispatcher: agent })
  let cut = false
  const body = res.body.text()
  body.catch(() => (cut = true))
  await arrivedAtOrigin

  const exited = once(site.proc, 'exit')
  const pidsOf = (msg: string) => new Set(site.lines.filter((l) => l.msg === msg).map((l) => l.pid as number))
  process.kill(-site.proc.pid!, 'SIGTERM')
  await waitFor('both workers began their stop', () => pidsOf('signal received').size === 2 || cut)
  // Again (systemd's group signal, the primary's and maybe pkill's may arrive in any order, or merge):
  // each worker still running is signalled once more after its stop began.
  process.kill(-site.proc.pid!, 'SIGTERM')
  await waitFor('each worker ignored the repeat, or ended', () => [...pidsOf('signal received')].every((pid) => pidsOf('signal received while stopping: ignored').has(pid) || !alive(pid)) || cut)
  release()

  t.equal(await body.catch((err: Error) => `cut: ${err.message}`), 'first half, second half', 'the answer in flight completed whole')
  t.equal(res.statusCode, 200)
  const [code] = (await exited) as [number | null]
  t.equal(code, 0, 'the primary exits with 0')
  t.equal(site.lines.filter((l) => l.msg === 'stopped').length, 2, 'each worker stopped gracefully')
})
