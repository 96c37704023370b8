// `npm install --omit=dev` then `fedgate start`: a copy of the package, built by its own build script
// (gateway/build/build.mjs, the bundle) and given only the production dependencies (package.json's
// `dependencies` and what they depend on), starts and answers /health. A module the build or the compiled
// code needs from a devDependency (tsx, typescript, http-proxy-3, …) fails the build or the start.
// (.ci/run does the same with a real `npm install --omit=dev` in a fresh clone.)
import t from 'tap'
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import { tempDir } from './helpers/sites.ts'
import { startProcess } from './helpers/process.ts'

const REPO = fileURLToPath(new URL('..', import.meta.url))

/**
 * Links <dir>/node_modules/<name> to the repository's installed copy for each package `npm install
 * --omit=dev` keeps: package.json's dependencies and, transitively, theirs (optional ones when installed
 * here, as the platform package of esbuild). Nested copies come along inside their parent.
 */
function linkProductionDependencies(dir: string): string[] {
  const kept = new Set<string>()
  const deps = (pkgDir: string) => {
    const p = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>
    return [...Object.keys(p.dependencies ?? {}), ...Object.keys(p.optionalDependencies ?? {})]
  }
  const queue = deps(REPO)
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    const installed = join(REPO, 'node_modules', name)
    if (kept.has(name) || !existsSync(installed)) continue
    kept.add(name)
    mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true })
    symlinkSync(installed, join(dir, 'node_modules', name), 'dir')
    queue.push(...deps(installed))
  }
  return [...kept]
}

t.test('the compiled package starts with its production dependencies only', async (t) => {
  const dir = tempDir(t)
  for (const f of ['package.json', 'gateway', 'plugins']) cpSync(join(REPO, f), join(dir, f), { recursive: true })
  const kept = linkProductionDependencies(dir)
  t.ok(kept.includes('pino') && kept.includes('esbuild'), 'the build tool is a production dependency')
  t.ok(!kept.includes('tsx') && !kept.includes('typescript') && !kept.includes('http-proxy-3'), 'tsx, typescript and http-proxy-3 are development-only')

  // The package's own build step (npm install's `prepare`).
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  t.equal(pkg.scripts.prepare, pkg.scripts.build)
  t.equal(pkg.scripts.build, 'node gateway/build/build.mjs')
  await promisify(execFile)(process.execPath, ['gateway/build/build.mjs'], { cwd: dir })
  t.ok(existsSync(join(dir, 'dist/gateway/cli/main.cjs')), 'built into dist/')

  const site = join(dir, 'site')
  mkdirSync(site)
  writeFileSync(join(site, 'root.yaml'), 'site: { name: root, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\n')
  const gw = await startProcess(t, join(site, 'root.yaml'), { program: [join(dir, 'gateway/cli/bin.mjs')], cwd: site })
  const agent = new Agent({ connect: { ca: readFileSync(join(site, 'certs/ca.crt'), 'utf8') } })
  t.teardown(() => agent.close())
  const res = await request(`${gw.url}/health`, { dispatcher: agent })
  t.equal(res.statusCode, 200)
  t.match(await res.body.json(), { status: 'ok' })

  // A graceful stop, as `fedgate start` does on SIGTERM.
  const exited = new Promise<number | null>((r) => gw.proc.once('exit', (code) => r(code)))
  gw.proc.kill('SIGTERM')
  t.equal(await exited, 0, 'exits 0 on SIGTERM')
})
