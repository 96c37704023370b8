// `npm install --omit=dev` then `fedgate start`: a copy of the package, built by its own build script
// (tsconfig.build.json) and given only the production dependencies of the lock file, starts and answers
// /health. A module the compiled code imports from a devDependency (tsx, http-proxy-3, …) fails the start.
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

/** Links <dir>/node_modules/<name> to the repository's installed copy for each top-level package `npm install --omit=dev` keeps. */
function linkProductionDependencies(dir: string): string[] {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> }
  const kept: string[] = []
  for (const [path, entry] of Object.entries(lock.packages)) {
    const name = path.startsWith('node_modules/') ? path.slice('node_modules/'.length) : ''
    // Nested copies come along inside their parent; optional platform packages may be absent here.
    if (!name || name.includes('/node_modules/') || entry.dev || !existsSync(join(REPO, path))) continue
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    symlinkSync(join(REPO, path), join(dir, path), 'dir')
    kept.push(name)
  }
  return kept
}

t.test('the compiled package starts with its production dependencies only', async (t) => {
  const dir = tempDir(t)
  for (const f of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'gateway', 'plugins']) cpSync(join(REPO, f), join(dir, f), { recursive: true })
  const kept = linkProductionDependencies(dir)
  t.ok(kept.includes('pino') && !kept.includes('tsx') && !kept.includes('http-proxy-3'), 'tsx and http-proxy-3 are development-only')

  // The package's own build step, with the repository's TypeScript.
  const build = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts.build as string
  t.equal(build, 'tsc -p tsconfig.build.json')
  await promisify(execFile)(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: dir })
  t.ok(existsSync(join(dir, 'dist/gateway/cli/main.js')), 'built into dist/')

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
