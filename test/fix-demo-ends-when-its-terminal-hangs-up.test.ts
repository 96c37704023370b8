// `npm start` (fedgate demo) ignored SIGHUP for its whole life: closing its terminal left the demo's
// child and root running on their fixed ports, and the next `npm start` failed. A hangup now stops both,
// as Ctrl-C does. (The compiled program, as `npm start` runs it; the demo's ports must be free.)
import t from 'tap'
import { spawn } from 'node:child_process'
import { createConnection } from 'node:net'
import { fileURLToPath } from 'node:url'
import { tempDir } from './helpers/sites.ts'
import { onJsonLines } from './helpers/json-lines.ts'
import { DEMO_PORTS } from '../gateway/cli/demo.ts'

const BIN = fileURLToPath(new URL('../gateway/cli/bin.mjs', import.meta.url))
/** Bounds each wait (a demo that does not end is for ever: this only ends the test). */
const BOUND_MS = 60_000

const listening = (port: number) =>
  new Promise<boolean>((r) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => (s.destroy(), r(true)))
    s.once('error', () => r(false))
  })

t.test('a hangup ends the demo and frees its ports', async (t) => {
  // In a process group of its own: the teardown ends its root too, whatever became of the demo.
  const demo = spawn(process.execPath, [BIN, 'demo', '--dir', tempDir(t)], { stdio: ['ignore', 'pipe', 'ignore'], detached: true })
  t.teardown(() => {
    try {
      process.kill(-demo.pid!, 'SIGKILL')
    } catch {} // the group has ended
  })
  let timer: NodeJS.Timeout | undefined
  const bounded = <T>(p: Promise<T>, what: T) => Promise.race([p, new Promise<T>((r) => (timer = setTimeout(() => r(what), BOUND_MS)))]).finally(() => clearTimeout(timer))
  const up = await bounded(new Promise<boolean>((r) => onJsonLines(demo.stdout, (l) => typeof l.msg === 'string' && l.msg.includes('fedgate demo is up') && r(true))), false)
  t.ok(up, 'the demo is up')
  t.ok(await listening(DEMO_PORTS.root), 'its root listens')

  const exited = new Promise<string>((r) => demo.once('exit', (code, signal) => r(`${code ?? signal}`)))
  demo.kill('SIGHUP')
  t.equal(await bounded(exited, 'still running'), '0', 'the demo exits 0')
  let rootGone = false
  for (let i = 0; i < 100 && !rootGone; i++) {
    rootGone = !(await listening(DEMO_PORTS.root))
    if (!rootGone) await new Promise((r) => setTimeout(r, 100))
  }
  t.ok(rootGone, "and its root's port is free")
})
