// A site starting up sweeps the temp files that crashed publishes left, but not the one a running
// `fedgate publish` (another process) is writing: temp files are named by their writer's pid.
import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'
import { startRoot } from './helpers/hub.ts'

t.test('start-up sweeps dead writers\' temp files and spares live ones', async (t) => {
  const dir = tempDir(t)
  const tmp = join(dir, '.fedgate', 'root', 'store', 'tmp')
  mkdirSync(tmp, { recursive: true })
  const running = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' })
  t.teardown(() => running.kill())
  const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  await new Promise((r) => dead.once('exit', r))

  const file = (name: string, ageMs = 0) => {
    writeFileSync(join(tmp, name), 'half an upload')
    const when = (Date.now() - ageMs) / 1000
    utimesSync(join(tmp, name), when, when)
    return name
  }
  const live = file(`${running.pid}-${Date.now()}-aaaaaaaaaaaaaaaa`) // a publish in progress
  file(`${dead.pid}-${Date.now()}-bbbbbbbbbbbbbbbb`) // its writer crashed
  file(`${running.pid}-${Date.now()}-cccccccccccccccc`, 2 * 86_400_000) // untouched for two days: a reused pid
  file(`${Date.now()}-dddddddddddddddd`) // named before pids were

  await startRoot(t, { dir })
  t.same(readdirSync(tmp), [live], 'only the running publish\'s file is left')
})
