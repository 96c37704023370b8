// A site whose standard output nobody reads any more (`fedgate start | tee log` with tee stopped, a log
// collector gone) never ended on SIGTERM: its stop's last lines could not be written, and at exit pino's
// destination (sonic-boom 4) retried their synchronous write for ever, 100 ms at a time (seen with gdb:
// Atomics.wait under flushSync). The stop now waits for the log's last bytes a bounded time and drops
// what the reader does not take: the site exits 0.
import t from 'tap'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { tempDir } from './helpers/sites.ts'
import { onJsonLines } from './helpers/json-lines.ts'

const MAIN = fileURLToPath(new URL('../gateway/cli/main.ts', import.meta.url))
/** Bounds the wait for the exit (a hang is for ever: this only ends the test). */
const EXIT_BOUND_MS = 30_000

t.test('SIGTERM ends a site whose standard output reader has gone', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'site.yaml'), 'site: { name: gone, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\n  http: { host: 127.0.0.1, port: 0, redirectToHttps: false }\ntls: { dir: certs }\n')
  const site = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', '--config', join(dir, 'site.yaml')], { stdio: ['ignore', 'pipe', 'ignore'] })
  t.teardown(() => void site.kill('SIGKILL'))
  const http = await new Promise<number>((resolve) => onJsonLines(site.stdout, (l) => l.msg === 'fedgate listening' && resolve(l.http as number)))

  for (let i = 0; i < 20; i++) await (await request(`http://127.0.0.1:${http}/health`)).body.text()
  // The reader goes; the site's next lines (its stop's) meet the broken pipe.
  site.stdout.destroy()

  const exited = new Promise<string>((r) => site.once('exit', (code, signal) => r(`${code ?? signal}`)))
  site.kill('SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const outcome = await Promise.race([exited, new Promise<string>((r) => (timer = setTimeout(() => r('still running'), EXIT_BOUND_MS)))])
  clearTimeout(timer)
  t.equal(outcome, '0', 'the site stopped and exited 0')
})
