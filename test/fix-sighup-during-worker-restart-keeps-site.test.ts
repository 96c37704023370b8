// A SIGHUP to the primary while a replacement worker was starting stopped the whole site: the primary
// passed it on to the new worker before it had its SIGHUP handler, the signal killed it, and a worker
// dying before it listened is fatal. The primary passes SIGHUP only to workers that listen (a starting
// one reloads once it does): the site keeps serving and the replacement comes up.
import t from 'tap'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { tempDir } from './helpers/sites.ts'
import { startProcess } from './helpers/process.ts'
import { waitFor } from './helpers/sync.ts'

/** The pids whose parent is `pid` (from /proc). */
const childrenOf = (pid: number) => {
  const out = new Set<number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      // "pid (comm) state ppid …": comm may hold spaces, so from the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.add(Number(name))
    } catch {} // ended meanwhile
  }
  return out
}

t.test('SIGHUP while a replacement worker starts: the site keeps serving', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'site.yaml')
  writeFileSync(file, 'site: { name: hangup, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\nworkers: 2\n')
  const site = await startProcess(t, file)
  const listening = () => site.lines.filter((l) => l.msg === 'fedgate listening').length
  await waitFor('both workers listen', () => listening() === 2)
  const primary = site.proc.pid!
  const workers = (await waitFor('two worker processes', () => (childrenOf(primary).size === 2 ? childrenOf(primary) : undefined)))!

  process.kill([...workers][0]!, 'SIGKILL')
  // The moment its replacement exists (forked, far from having its handlers), SIGHUP to the primary.
  const replacement = (await waitFor('the replacement is forked', () => [...childrenOf(primary)].find((p) => !workers.has(p))))!
  site.proc.kill('SIGHUP')

  await waitFor('the replacement listens, or the site ended', () => listening() === 3 || site.proc.exitCode !== null)
  t.equal(site.proc.exitCode, null, 'the primary still runs')
  t.notOk(site.lines.some((l) => l.msg === 'a worker ended before it listened; stopping the site'), 'the replacement was not killed')
  t.ok(childrenOf(primary).has(replacement), 'the replacement runs')
  const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8') } })
  t.teardown(() => agent.close())
  const res = await request(`${site.url}/health`, { dispatcher: agent })
  await res.body.dump()
  t.equal(res.statusCode, 200, 'the site answers')
})
