// A SIGHUP (a certbot deploy hook, a primary passing it on) that reached `fedgate start` before the site
// had installed its certificate reload ended the process: the signal's default action. Here the site is
// held at start by a Redis index that does not answer (it waits up to 5 s for it); a SIGHUP then is now
// ignored, and the start ends as it would have, with the index's error and exit 2.
import t from 'tap'
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'

const BIN = new URL('../gateway/cli/bin.mjs', import.meta.url).pathname

t.test('a SIGHUP while the site starts is ignored', async (t) => {
  const dir = tempDir(t)
  // A port nothing listens on: a closed one, found by listening and closing.
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
  writeFileSync(join(dir, 'site.yaml'), `site: { name: hup, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\nstore: { index: "redis://127.0.0.1:${port}" }\n`)
  const child = spawn(process.execPath, [BIN, 'start', '--config', 'site.yaml'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr.on('data', (d: Buffer) => (err += d))
  child.stdout.resume()
  t.teardown(() => void child.kill('SIGKILL'))
  // Past the bundle's load, within the index's 5 s: the site is starting.
  await new Promise((r) => setTimeout(r, 1500))
  t.equal(child.exitCode, null, 'still starting')
  child.kill('SIGHUP')
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])))
  t.equal(signal, null, 'not ended by the SIGHUP')
  t.equal(code, 2, 'the start ends as it would have')
  t.match(err, /redis:\/\/127\.0\.0\.1:\d+: no connection within 5 s/, 'with the index\'s error')
})
