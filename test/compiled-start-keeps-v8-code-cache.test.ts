// `fedgate start` (bin.mjs running dist/'s CommonJS bundle, gateway/cli/load-compiled.mjs) keeps V8's code
// cache beside the bundle once it has started, and the next start with the same node flags uses it. A cache
// V8 refuses (cut short here: a crash of the disk, a copy from another machine) never stops a start: the
// site compiles from source, serves, and makes the cache again. Other node flags keep a cache of their own.
// Seen through NODE_DEBUG=fedgate-code-cache (the loader's debuglog) and the files in the copy's dist/.
import t from 'tap'
import { cpSync, mkdirSync, readdirSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import { readFileSync } from 'node:fs'
import { tempDir } from './helpers/sites.ts'
import { startProcess } from './helpers/process.ts'

const REPO = fileURLToPath(new URL('..', import.meta.url))
const WAIT_MS = 30_000

t.test('fedgate start keeps a V8 code cache beside the bundle, uses it next time, and remakes one V8 refuses', async (t) => {
  // A copy of the built program, so this test's caches are its own.
  const copy = tempDir(t)
  mkdirSync(join(copy, 'gateway'))
  cpSync(join(REPO, 'gateway/cli'), join(copy, 'gateway/cli'), { recursive: true })
  cpSync(join(REPO, 'dist'), join(copy, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.v8cache') && !f.endsWith('.tmp') })
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'), 'dir')
  symlinkSync(join(REPO, 'plugins'), join(copy, 'plugins'), 'dir')
  const dist = join(copy, 'dist/gateway/cli')
  const bundle = statSync(join(dist, 'main.cjs'))
  const caches = () => readdirSync(dist).filter((f) => f.endsWith('.v8cache'))

  const site = join(copy, 'site')
  mkdirSync(site)
  writeFileSync(join(site, 'root.yaml'), 'site: { name: root, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs, watch: false }\n')
  const bin = join(copy, 'gateway/cli/bin.mjs')

  /** One start: the loader's debug lines, resolved once /health answered and (when `keeps`) the cache was written. */
  async function start(nodeArgs: string[], keeps: boolean) {
    const said: string[] = []
    let kept: () => void = () => {}
    const written = new Promise<void>((r) => (kept = r))
    const gw = await startProcess(t, join(site, 'root.yaml'), {
      program: [...nodeArgs, bin],
      cwd: site,
      env: { NODE_DEBUG: 'fedgate-code-cache' },
      stderr: (line) => {
        const m = /^FEDGATE-CODE-CACHE \d+: (.*)$/.exec(line)
        if (!m) return
        const what = m[1]!
        said.push(what)
        if (what.startsWith('kept') || what.startsWith('not kept')) kept()
      },
    })
    const agent = new Agent({ connect: { ca: readFileSync(join(site, 'certs/ca.crt'), 'utf8') } })
    const res = await request(`${gw.url}/health`, { dispatcher: agent })
    await res.body.text()
    await agent.close()
    if (keeps) {
      const timer = setTimeout(kept, WAIT_MS)
      await written
      clearTimeout(timer)
    }
    await gw.kill()
    return { status: res.statusCode, said }
  }

  const first = await start([], true)
  t.equal(first.status, 200, 'the first start serves')
  t.match(first.said[0], /^none: compiled from source /, 'the first start finds no cache')
  t.match(first.said[1], /^kept /, 'and keeps one once started')
  t.equal(caches().length, 1, 'one cache file')
  const name = caches()[0]!
  t.ok(name.startsWith(`main.cjs.${bundle.size}-`), `named for the bundle it was made from (${name})`)
  t.same(readdirSync(dist).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left')
  const size = statSync(join(dist, name)).size

  const second = await start([], false)
  t.equal(second.status, 200, 'the second start serves')
  t.match(second.said, [/^used /], 'the second start uses the cache, and writes none')

  truncateSync(join(dist, name), Math.floor(size / 2))
  const cut = await start([], true)
  t.equal(cut.status, 200, 'a start with a cache cut short serves')
  t.match(cut.said[0], /^refused by V8: compiled from source /, 'V8 refuses the cut cache')
  t.match(cut.said[1], /^kept /, 'the cache is made again')
  t.ok(statSync(join(dist, name)).size > size / 2, 'whole again (its size: what that start had compiled)')

  const own = await start(['--semi-space-growth-factor=2'], true)
  t.equal(own.status, 200, 'a start with node flags of its own serves')
  t.match(own.said[0], /^none: compiled from source /, 'the cache of the usual flags is not offered to other flags')
  t.equal(caches().length, 2, 'those flags keep a cache of their own')
  const again = await start([], false)
  t.match(again.said, [/^used /], 'and the usual start uses its own, the one made again')
})
