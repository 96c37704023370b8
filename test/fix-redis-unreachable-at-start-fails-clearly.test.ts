// A site whose Redis index cannot be reached (here a closed loopback port) fails at start, and so does
// a CLI command that opens its stores: exit code 2 with a message naming the index's URL, never its
// password. Before, both waited silently for ever, reconnecting.
import t from 'tap'
import { execFile } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir } from './helpers/sites.ts'

const MAIN = fileURLToPath(new URL('../gateway/cli/main.ts', import.meta.url))
const PASSWORD = 'hunter2-redis-secret'

async function closedPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

/** Runs `fedgate …args`; bounded: killed after 60 s (then its code is null and the test fails). */
function fedgate(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], { timeout: 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr })
    })
  })
}

t.test('an unreachable Redis index fails start and CLI commands with exit 2 and a clear message', async (t) => {
  const dir = tempDir(t)
  const port = await closedPort()
  const file = join(dir, 'site.yaml')
  writeFileSync(file, `site: { name: r, role: root }
listen:
  https: { host: 127.0.0.1, port: 0 }
tls: { dir: certs }
store: { index: "redis://:${PASSWORD}@127.0.0.1:${port}" }
`)
  for (const args of [['keys', '--config', file, 'list'], ['start', '--config', file]]) {
    const r = await fedgate(args)
    t.equal(r.code, 2, `fedgate ${args[0]} exits 2`)
    t.match(r.stderr, /index \(Redis\) cannot be reached/, 'it says the index cannot be reached')
    t.match(r.stderr, `127.0.0.1:${port}`, 'naming the index URL')
    t.match(r.stderr, /ECONNREFUSED/, 'and why')
    t.notOk(r.stderr.includes(PASSWORD) || r.stdout.includes(PASSWORD), 'never its password')
  }
})
