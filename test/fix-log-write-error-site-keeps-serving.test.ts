// A site started in a terminal (`fedgate start` over ssh) whose terminal went away got SIGHUP, reloaded its
// certificates as it should, and its log line saying so met EIO: the log's write error, unhandled, ended
// the process, and at exit pino's synchronous write retried that line for ever (100 ms at a time), so the
// site hung with its port open, answering nothing and saying nothing. A write error of the log now drops
// the log: the site keeps serving, and SIGTERM still ends it. The terminal is a real one (util-linux
// `script` holds its master side; killing it hangs the terminal up).
import t from 'tap'
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, request } from 'undici'
import { tempDir } from './helpers/sites.ts'
import { onJsonLines } from './helpers/json-lines.ts'

const MAIN = fileURLToPath(new URL('../gateway/cli/main.ts', import.meta.url))
/** Bounds each wait (a hung site hangs for ever: this only ends the test). */
const BOUND_MS = 10_000

t.test('a site whose terminal hung up keeps serving, and SIGTERM ends it', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'site.yaml'), 'site: { name: tty, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs, watch: false }\n')
  // `exec`: the site itself is the terminal's session leader, which the hangup signals.
  const command = `exec '${process.execPath}' --import tsx '${MAIN}' start --config '${join(dir, 'site.yaml')}'`
  const terminal = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] })
  let site = 0
  t.teardown(() => {
    terminal.kill('SIGKILL')
    if (site && running(site)) process.kill(site, 'SIGKILL')
  })
  const port = await new Promise<number>((resolve, reject) => {
    onJsonLines(terminal.stdout!, (l) => l.msg === 'fedgate listening' && resolve(l.https as number))
    terminal.once('exit', (code) => reject(new Error(`the terminal ended (${code}) before the site listened`)))
  })
  site = Number(readFileSync(`/proc/${terminal.pid}/task/${terminal.pid}/children`, 'utf8').trim())
  t.ok(site > 0, `the site runs in the terminal (pid ${site})`)

  terminal.kill('SIGKILL')
  const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'certs/ca.crt'), 'utf8') }, headersTimeout: BOUND_MS, bodyTimeout: BOUND_MS })
  t.teardown(() => agent.close())
  // The hangup's SIGHUP reloads the certificates and logs it; a further SIGHUP logs again.
  const statuses: (number | string)[] = []
  for (let i = 0; i < 5; i++) {
    if (i === 2) process.kill(site, 'SIGHUP')
    statuses.push(await request(`https://127.0.0.1:${port}/health`, { dispatcher: agent }).then(async (r) => (await r.body.text(), r.statusCode), (e: Error) => e.message))
    if (statuses.at(-1) !== 200) break
    await sleep(100)
  }
  t.same(statuses, [200, 200, 200, 200, 200], 'it answers after its terminal hung up')

  process.kill(site, 'SIGTERM')
  for (let waited = 0; running(site) && waited < BOUND_MS; waited += 100) await sleep(100)
  t.notOk(running(site), 'SIGTERM ended it')
})

/** Not ended (the site is no child of this process: an ended one may stay a zombie until its new parent reaps it). */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] !== 'Z'
  } catch {
    return false
  }
}
