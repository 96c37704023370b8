// `fedgate start --workers 2` with forward.cache on: each worker keeps its own cache folder
// (worker-<slot>), since a cache's size bound and its temp sweep at start are one process's: each
// worker opens its own, and nothing is written beside the workers' folders.
import t from 'tap'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { startOrigin, tempDir } from './helpers/sites.ts'
import { startProcess } from './helpers/process.ts'
import { waitFor } from './helpers/sync.ts'

t.test('two workers keep two forward-cache folders', async (t) => {
  const origin = await startOrigin(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=600' })
    res.end('cached body')
  })
  const dir = tempDir(t)
  const file = join(dir, 'site.yaml')
  writeFileSync(file, `site: { name: edge, role: child }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\nroot: { url: ${origin.url} }\nforward: { cache: { enabled: true } }\nworkers: 2\n`)
  const site = await startProcess(t, file)
  await waitFor('both workers listen', () => site.lines.filter((l) => l.msg === 'fedgate listening').length === 2)
  const ca = readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8')
  for (let i = 0; i < 4; i++) {
    const agent = new Agent({ connect: { ca } })
    const res = await request(`${site.url}/some/page`, { dispatcher: agent })
    t.equal(await res.body.text(), 'cached body', 'answered')
    await agent.close()
  }
  const cacheDir = join(dir, '.fedgate', 'edge', 'forward-cache')
  await waitFor('both folders written', () => existsSync(join(cacheDir, 'worker-0')) && existsSync(join(cacheDir, 'worker-1')))
  t.same(readdirSync(cacheDir).sort(), ['worker-0', 'worker-1'], 'one folder a worker, nothing beside them')
})
