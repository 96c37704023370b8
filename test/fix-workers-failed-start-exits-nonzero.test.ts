// `fedgate start --workers 2` on a port already in use exited 0 (the primary's stop after a worker failed
// to start took the graceful stop's exit), so systemd or a script saw a clean end. It exits 2, as a single
// process's failed start does, and stderr names the reason.
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer, type AddressInfo } from 'node:net'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir } from './helpers/sites.ts'

const MAIN = fileURLToPath(new URL('../gateway/cli/main.ts', import.meta.url))

t.test('workers that cannot listen: the primary exits 2 and says why', async (t) => {
  const taken = createServer()
  taken.listen(0, '127.0.0.1')
  await once(taken, 'listening')
  t.teardown(() => taken.close())
  const port = (taken.address() as AddressInfo).port
  const dir = tempDir(t)
  const file = join(dir, 'site.yaml')
  writeFileSync(file, `site: { name: taken, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: ${port} }\ntls: { dir: certs }\n`)

  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', '--config', file, '--workers', '2'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => proc.exitCode === null && proc.signalCode === null && proc.kill('SIGKILL'))
  let stderr = ''
  proc.stderr!.on('data', (b: Buffer) => (stderr += b))
  proc.stdout!.resume()
  const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000) // bounded: a primary that never exits fails below
  const [code, signal] = (await once(proc, 'exit')) as [number | null, string | null]
  clearTimeout(timer)
  t.equal(signal, null, 'it exited on its own')
  t.equal(code, 2, 'exit code 2, as a single process that cannot start')
  t.match(stderr, /the port is in use/, 'stderr names the reason')
})
