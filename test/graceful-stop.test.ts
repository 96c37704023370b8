import t from 'tap'
import net from 'node:net'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'

t.test('an in-flight request completes while the site stops; new connections are refused', async (t) => {
  let release!: () => void
  const released = new Promise<void>((r) => (release = r))
  let arrived!: () => void
  const arrivedAtOrigin = new Promise<void>((r) => (arrived = r))
  const origin = await startOrigin(t, (req, res) => {
    if (req.url !== '/slow') return res.end('ok') // the active probe, say
    arrived()
    released.then(() => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('slow answer')
    })
  })
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_graceful_' + 'g'.repeat(30))
  const site = await startSite(t, childYaml('graceful', origin.url, '  health: { interval: 1h }\nshutdown: { grace: 1m }\n'), { dir, clock: t.clock })

  const inFlight = fetchText(site, '/slow')
  await arrivedAtOrigin
  let stopped = false
  const closing = site.gw.close().then(() => (stopped = true))

  const err = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: site.gw.httpsPort })
    s.once('connect', () => {
      s.destroy()
      resolve(undefined)
    })
    s.once('error', resolve)
  })
  t.equal(err?.code, 'ECONNREFUSED', 'no new connections while stopping')
  t.notOk(stopped, 'close waits for the in-flight request')

  release()
  const res = await inFlight
  t.equal(res.status, 200, 'the in-flight request completed')
  t.equal(res.body, 'slow answer')
  await closing
  t.ok(stopped, 'then the site stopped')
  t.match(site.logs.text, /"msg":"stopped"/)
})

t.test('fedgate start exits 0 on SIGTERM', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'site.yaml')
  writeFileSync(file, 'site: { name: sigterm, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\n')
  const bin = new URL('../gateway/cli/bin.mjs', import.meta.url).pathname
  const child = spawn(process.execPath, [bin, 'start', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => child.kill('SIGKILL'))
  let out = ''
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (c) => (out += c))
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c
      if (out.includes('fedgate listening')) resolve()
    })
    child.once('exit', () => reject(new Error(`exited before listening:\n${out}`)))
  })
  const exit = new Promise<[number | null, string | null]>((r) => child.once('exit', (code, sig) => r([code, sig])))
  child.kill('SIGTERM')
  const [code, signal] = await exit
  t.equal(signal, null, 'not killed by the signal')
  t.equal(code, 0, 'exit code 0')
})
