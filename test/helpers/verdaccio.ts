// A real Verdaccio registry as the root: config, storage and htpasswd in a temp folder, no uplinks
// (this machine reaches no other registry), reads and writes for authenticated users only, so every
// request that works proves the caller's token. Packages are published with the real `npm publish`.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { runNpm, type NpmConfig, type NpmResult } from './npm-client.ts'
import type { TestLike } from './sites.ts'

const BIN = resolve(import.meta.dirname, '../../node_modules/verdaccio/bin/verdaccio')

export interface PackageSpec {
  name: string
  version: string
  dependencies?: Record<string, string>
  /** Extra bytes in the tarball (a file of this many pseudo-random bytes). */
  padding?: number
}

export interface Verdaccio {
  /** http://127.0.0.1:<port>/ */
  url: string
  port: number
  storage: string
  user: string
  token: string
  /** npm settings that talk straight to this Verdaccio with the test user's token. */
  npm: NpmConfig
  publish(pkg: PackageSpec): Promise<NpmResult>
  /** `npm unpublish <spec> --force`. */
  unpublish(spec: string): Promise<NpmResult>
  /** The tarball's file on Verdaccio's disk. */
  tarballPath(name: string, version: string): string
  stop(): Promise<void>
  /** Starts again on the same port with the same storage. */
  start(): Promise<void>
}

export async function freePort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as net.AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

/**
 * `packages` is extra YAML put first under Verdaccio's `packages:` (two-space indented rules), for
 * packages with access rules of their own (readable by another user only, say).
 */
export async function startVerdaccio(t: TestLike, dir: string, o: { packages?: string } = {}): Promise<Verdaccio> {
  const root = join(dir, 'verdaccio')
  const storage = join(root, 'storage')
  mkdirSync(storage, { recursive: true })
  const port = await freePort()
  const config = join(root, 'config.yaml')
  writeFileSync(
    config,
    `storage: ${storage}
auth:
  htpasswd:
    file: ${join(root, 'htpasswd')}
    max_users: 10
uplinks: {}
packages:
${o.packages ?? ''}  '@*/*':
    access: $authenticated
    publish: $authenticated
    unpublish: $authenticated
  '**':
    access: $authenticated
    publish: $authenticated
    unpublish: $authenticated
server:
  keepAliveTimeout: 5
web:
  enable: false
log: { type: stdout, format: pretty, level: error }
`,
  )
  const url = `http://127.0.0.1:${port}/`
  let child: ChildProcess | undefined
  let output = ''

  const start = async () => {
    const c = spawn(process.execPath, [BIN, '--config', config, '--listen', `127.0.0.1:${port}`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    c.stdout!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-4000)))
    c.stderr!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-4000)))
    c.on('error', () => {})
    child = c
    // Bounded wait for the first answer on /-/ping.
    for (let i = 0; i < 300; i++) {
      if (c.exitCode !== null) throw new Error(`verdaccio exited (${c.exitCode}): ${output}`)
      try {
        const r = await request(`${url}-/ping`)
        await r.body.dump()
        if (r.statusCode === 200) return
      } catch {
        // not listening yet
      }
      await sleep(100)
    }
    throw new Error(`verdaccio did not start within 30s: ${output}`)
  }
  const stop = async () => {
    const c = child
    child = undefined
    if (!c || c.exitCode !== null) return
    const exited = new Promise<void>((r) => c.once('exit', () => r()))
    c.kill('SIGTERM')
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
  t.teardown(stop)
  await start()

  const user = 'fedgate-test'
  const res = await request(`${url}-/user/org.couchdb.user:${user}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: user, password: 'test-password-1', email: 'test@example.invalid' }),
  })
  const body = (await res.body.json()) as { token?: string }
  if (res.statusCode !== 201 || !body.token) throw new Error(`verdaccio refused the test user: ${res.statusCode} ${JSON.stringify(body)}`)
  const token = body.token
  const npm: NpmConfig = { dir: join(root, 'npm'), registry: url, token }
  let n = 0

  return {
    url,
    port,
    storage,
    user,
    token,
    npm,
    start,
    stop,
    async publish(pkg) {
      const folder = join(root, 'src', `${pkg.name.replace('/', '__')}-${pkg.version}-${n++}`)
      mkdirSync(folder, { recursive: true })
      writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: pkg.name, version: pkg.version, main: 'index.js', license: 'MIT', dependencies: pkg.dependencies ?? {} }, null, 2))
      writeFileSync(join(folder, 'index.js'), `module.exports = ${JSON.stringify(`${pkg.name}@${pkg.version}`)}\n`)
      if (pkg.padding) writeFileSync(join(folder, 'data.bin'), pseudoRandom(pkg.padding, n))
      const r = await runNpm(npm, ['publish', '--access', 'public', '--tag', 'latest'], { cwd: folder })
      if (r.code !== 0) throw new Error(`npm publish ${pkg.name}@${pkg.version} failed: ${r.stderr}`)
      return r
    },
    async unpublish(spec) {
      const r = await runNpm(npm, ['unpublish', spec, '--force'], { cwd: root })
      if (r.code !== 0) throw new Error(`npm unpublish ${spec} failed: ${r.stderr}`)
      return r
    },
    tarballPath(name, version) {
      const base = name.startsWith('@') ? name.split('/')[1]! : name
      return join(storage, name, `${base}-${version}.tgz`)
    },
  }
}

/** Incompressible bytes, so tarballs have a real size. */
function pseudoRandom(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size)
  let x = (seed * 2654435761) >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out[i] = x & 0xff
  }
  return out
}
