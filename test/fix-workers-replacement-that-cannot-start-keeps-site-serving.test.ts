// `fedgate start --workers 2`: the site's certificate on disk is broken after start (a bad renewal; the
// running workers' SIGHUP reload refuses it and keeps the old one), then a worker dies. Its replacement
// reads the broken file and cannot start, and the primary took that for a failed first start: it
// stopped the healthy worker too and exited 2, the whole site down for one bad file. The other worker
// keeps serving, and the replacement is tried again until it starts (here once the file is fixed).
import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import { tempDir } from './helpers/sites.ts'
import { keysBefore, startProcess } from './helpers/process.ts'
import { waitFor } from './helpers/sync.ts'

// The compiled fedgate (`npm test` builds it first): three workers start here, each far quicker than under tsx.
const BIN = fileURLToPath(new URL('../gateway/cli/bin.mjs', import.meta.url))

t.test('a replacement worker that cannot start leaves the others serving, and is tried again', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'site.yaml')
  writeFileSync(file, 'site: { name: replaced, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\nworkers: 2\n')
  const [adminKey] = await keysBefore(file, [{ name: 'ops', scope: 'admin' }])
  const site = await startProcess(t, file, { program: [BIN] })
  await waitFor('both workers listen', () => site.lines.filter((l) => l.msg === 'fedgate listening').length === 2)
  const ca = readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8')
  /** The pid of the worker that answers /health on a new connection. */
  const ask = async () => {
    const agent = new Agent({ connect: { ca } })
    try {
      const res = await request(`${site.url}/health`, { dispatcher: agent, headers: { authorization: `Bearer ${adminKey}` } })
      return ((await res.body.json()) as { process: { pid: number } }).process.pid
    } finally {
      await agent.close()
    }
  }
  const pids = new Set<number>()
  for (let i = 0; i < 40 && pids.size < 2; i++) pids.add(await ask())
  t.equal(pids.size, 2, 'two workers answer')
  const [victim, survivor] = [...pids] as [number, number]

  const crt = join(dir, 'certs', 'replaced.crt')
  const good = readFileSync(crt)
  writeFileSync(crt, 'not a certificate\n')
  process.kill(victim, 'SIGKILL')
  await waitFor('the replacement failed to start', () => site.lines.some((l) => l.component === 'primary' && /ended before it listened/.test(String(l.msg))))

  t.equal(await ask(), survivor, 'the other worker still answers new connections')
  t.equal(site.proc.exitCode, null, 'the primary runs on')
  t.notOk(site.lines.some((l) => l.msg === 'stopped'), 'no worker was stopped')

  writeFileSync(crt, good)
  await waitFor('a replacement worker answers', async () => ![victim, survivor].includes(await ask()))
  t.pass('the replacement started once the certificate could be read')
})
