// The workers of a site share its standard output, a pipe under systemd or docker. Their request-log
// batches (up to 64 KiB a write) went to it whole, and a pipe keeps only writes of up to 4 KiB (PIPE_BUF)
// from interleaving: under load two workers' batches tore each other's lines (50 in 235,000). A worker
// now writes whole lines in pieces of at most 4 KiB: every line reads back as JSON.
import t from 'tap'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { tempDir } from './helpers/sites.ts'

const BIN = new URL('../gateway/cli/bin.mjs', import.meta.url).pathname

t.test('two workers under load on one stdout pipe: every line is whole', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'site.yaml'), 'site: { name: torn, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\n  http: { host: 127.0.0.1, port: 0, redirectToHttps: false }\ntls: { dir: certs }\nworkers: 2\n')
  const site = spawn(process.execPath, [BIN, 'start', '--config', 'site.yaml'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => void site.kill('SIGKILL'))
  let rest = ''
  let lines = 0
  const torn: string[] = []
  let port: number | undefined
  let listening = 0
  site.stdout.setEncoding('utf8')
  site.stdout.on('data', (d: string) => {
    const parts = (rest + d).split('\n')
    rest = parts.pop()!
    for (const l of parts) {
      lines++
      try {
        const j = JSON.parse(l) as { msg?: string; http?: number }
        if (j.msg === 'fedgate listening') {
          listening++
          port = j.http
        }
      } catch {
        torn.push(l.slice(0, 160))
      }
    }
  })
  for (let i = 0; i < 300 && listening < 2; i++) await new Promise((r) => setTimeout(r, 100))
  t.equal(listening, 2, 'both workers listen')
  // Bounded: 3 s of 50 connections; long paths make long lines, so batches are large and often concurrent.
  const r = await new Promise<autocannon.Result>((resolve, reject) => autocannon({ url: `http://127.0.0.1:${port}/${'long-path-'.repeat(150)}`, connections: 50, duration: 3 }, (e: Error | null, res: autocannon.Result) => (e ? reject(e) : resolve(res))))
  t.ok(r.requests.total > 1000, `load reached the site (${r.requests.total} requests)`)
  await new Promise((r) => setTimeout(r, 500)) // the last batches
  site.kill('SIGTERM')
  await new Promise((r) => site.once('exit', r))
  t.ok(lines > r.requests.total * 0.9, `the lines came (${lines})`)
  t.same(torn, [], 'none torn')
})
