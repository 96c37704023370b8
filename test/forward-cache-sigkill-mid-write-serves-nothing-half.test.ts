// A site killed with SIGKILL while it writes a cached answer leaves nothing that is later served: after a
// restart, with the root stopped, the half-received answer is not answered from the cache (503), its
// temporary file is gone, and an entry written whole before the kill is still served.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { Agent, request } from 'undici'
import { childYaml, startOrigin, tempDir, writeSecret } from './helpers/sites.ts'
import { startProcess } from './helpers/process.ts'
import { waitFor } from './helpers/sync.ts'

const HALF = 1_000_000

function files(dir: string): { name: string; size: number }[] {
  try {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => ({ name, size: statSync(join(dir, name)).size }))
  } catch {
    return []
  }
}

t.test('SIGKILL mid-write: the half-written answer is never served', async (t) => {
  let halfSent = false
  const origin = await startOrigin(t, (req, res) => {
    if (req.url === '/api/v1/blobs/whole') {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=600' })
      return res.end('whole answer')
    }
    if (req.url === '/api/v1/blobs/half') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=600', 'content-length': 2 * HALF })
      res.write(Buffer.alloc(HALF, 7), () => (halfSent = true))
      return // and holds the rest
    }
    res.end('ok')
  })
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_cache_kill_' + 'k'.repeat(30))
  const file = join(dir, 'site.yaml')
  writeFileSync(file, childYaml('killed', origin.url, 'forward: { cache: { enabled: true } }\n'))
  const cacheDir = join(dir, '.fedgate', 'killed', 'forward-cache')

  const first = await startProcess(t, file)
  const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8') } })
  t.teardown(() => agent.close())
  const get = async (url: string, path: string) => {
    const res = await request(url + path, { dispatcher: agent, headersTimeout: 30_000 })
    return { status: res.statusCode, body: await res.body.text(), cache: res.headers['cache-status'] }
  }
  t.equal((await get(first.url, '/api/v1/blobs/whole')).body, 'whole answer')
  const cut = request(first.url + '/api/v1/blobs/half', { dispatcher: agent }).then(
    // The head comes first (the miss streams as it is stored); the body is then cut.
    (r) => r.body.text().then(
      () => 'answered',
      () => 'cut',
    ),
    () => 'cut',
  )
  await waitFor('the first half written to a temporary file', () => halfSent && files(join(cacheDir, 'tmp')).some((f) => f.size >= HALF / 2))
  await first.kill()
  t.equal(await cut, 'cut', 'the client of the half answer got nothing whole')

  await origin.close()
  const second = await startProcess(t, file)
  t.same(files(join(cacheDir, 'tmp')), [], 'the temporary file is gone after the restart')
  const half = await get(second.url, '/api/v1/blobs/half')
  t.equal(half.status, 503, 'the half answer is not served (the root is stopped)')
  t.notOk(half.body.length >= HALF, 'no part of it either')
  const whole = await get(second.url, '/api/v1/blobs/whole')
  t.equal(whole.status, 200, 'the entry written before the kill is served')
  t.equal(whole.body, 'whole answer')
  t.match(whole.cache, /hit/)
  t.notOk(files(cacheDir).some((f) => f.size >= HALF / 2), 'no file holds the half answer')
})
