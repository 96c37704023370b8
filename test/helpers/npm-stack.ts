// The npm end-to-end stack: a real Verdaccio root with published fixture packages, a fedgate child over
// HTTPS with some of them synchronized, and the real npm client pointed at the child.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ConnectionOptions } from 'node:tls'
import { request } from 'undici'
import type { Clock } from '../../gateway/util/clock.ts'
import { connectTls, sendRaw } from './raw-http.ts'
import type { KeyRing } from '../../plugins/hub/keys.ts'
import { project, runNpm, type NpmConfig, type NpmResult } from './npm-client.ts'
import { childYaml, startSite, writeSecret, type TestLike, type TestSite } from './sites.ts'
import { startVerdaccio, type PackageSpec, type Verdaccio } from './verdaccio.ts'

/** left-pad has several versions, @acme/util is scoped and depends on left-pad; not-synced stays at the root. */
export const FIXTURES: PackageSpec[] = [
  { name: 'left-pad', version: '1.0.0' },
  { name: 'left-pad', version: '1.1.0' },
  { name: 'left-pad', version: '1.2.0', padding: 20_000 },
  { name: '@acme/util', version: '1.0.0', dependencies: { 'left-pad': '^1.1.0' } },
  { name: 'not-synced', version: '1.0.0' },
]

export interface NpmStack {
  dir: string
  root: Verdaccio
  child: TestSite
  /** https://127.0.0.1:<port>, the URL npm reaches the child by: served tarball URLs follow it. */
  publicUrl: string
  admin: string
  /** npm settings for the child: its registry, its CA, short retries. */
  npm: NpmConfig
  install(projectDir: string, args?: string[]): Promise<NpmResult>
  /** Runs a sync of every synchronized package now and waits for it; returns the status view. */
  syncNow(name?: string): Promise<{ packages: { name: string; state: string; error?: string }[] }>
}

export async function startNpmStack(
  t: TestLike,
  dir: string,
  o: { packages?: string[]; extra?: string; site?: string; fixtures?: PackageSpec[]; rootPackages?: string; clock?: Clock } = {},
): Promise<NpmStack> {
  const root = await startVerdaccio(t, dir, { packages: o.rootPackages })
  for (const pkg of o.fixtures ?? FIXTURES) await root.publish(pkg)
  writeSecret(dir, 'root.key', root.token)
  const packages = o.packages ?? ['left-pad', '@acme/*']
  const yaml = childYaml('branch', root.url.replace(/\/$/, ''), `npm:\n  packages: [${packages.map((p) => `'${p}'`).join(', ')}]\n  interval: 1h\n${o.extra ?? ''}`, o.site)
  const child = await startSite(t, yaml, { dir, name: 'branch', clock: o.clock })
  const admin = (await child.gw.service<KeyRing>('keys')!.create({ name: 'ops', scope: 'admin' })).key
  const publicUrl = child.url
  const npm: NpmConfig = {
    dir: join(dir, 'npm-child'),
    registry: `${child.url}/`,
    cafile: child.gw.caFile,
    // npm's own retries would hide a fast failure behind minutes of waiting.
    extra: { 'fetch-retries': '0', 'fetch-retry-mintimeout': '1000', 'fetch-retry-maxtimeout': '2000', 'fetch-timeout': '30000' },
  }
  const stack: NpmStack = {
    dir,
    root,
    child,
    publicUrl,
    admin,
    npm,
    install: (projectDir, args = []) => runNpm(npm, ['install', ...args], { cwd: projectDir }),
    async syncNow(name) {
      const res = await request(`${child.url}/api/v1/admin/npm/sync`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, wait: true }),
        dispatcher: child.agent,
      })
      const text = await res.body.text()
      if (res.statusCode !== 200) throw new Error(`npm sync: ${res.statusCode} ${text}`)
      return JSON.parse(text) as { packages: { name: string; state: string; error?: string }[] }
    },
  }
  const first = await stack.syncNow()
  const failing = first.packages.filter((p) => p.state !== 'in-sync')
  if (failing.length) throw new Error(`first npm sync failed: ${JSON.stringify(failing)}`)
  return stack
}

/**
 * The stack's npm settings with npm's own retry defaults (fetch-retries 2, waits of 10 s then 60 s,
 * fetch-timeout 5 min), for tests of what npm users get without tuning; own folder and caches.
 */
export function npmWithDefaults(stack: Pick<NpmStack, 'npm'>): NpmConfig {
  return { ...stack.npm, dir: stack.npm.dir + '-defaults', extra: {} }
}

/** `npm config get` of npm's retry settings under `c`, as npm resolves them. */
export async function retrySettings(c: NpmConfig, cwd: string): Promise<string> {
  const r = await runNpm(c, ['config', 'get', 'fetch-retries', 'fetch-retry-mintimeout', 'fetch-retry-maxtimeout', 'fetch-timeout'], { cwd })
  return r.stdout
}

/** A temp project with these dependencies. */
export function npmProject(stack: Pick<NpmStack, 'dir'>, name: string, deps: Record<string, string>): string {
  return project(join(stack.dir, name), deps)
}

/** Every `resolved` URL in the project's package-lock.json. */
export function lockedUrls(projectDir: string): string[] {
  const lock = JSON.parse(readFileSync(join(projectDir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> }
  return Object.values(lock.packages)
    .map((p) => p.resolved)
    .filter((r): r is string => typeof r === 'string')
}

/**
 * The tarball URLs of a packument the child serves, asked over a raw TLS socket (undici would send the
 * Host header as SNI): any Host header, other headers, and a local address to connect from.
 */
export async function servedTarballs(t: TestLike, stack: NpmStack, name: string, o: { host?: string; headers?: Record<string, string>; localAddress?: string } = {}): Promise<string[]> {
  const port = stack.child.gw.httpsPort
  // tls.connect takes net's socket options too, which its type leaves out.
  const socket = await connectTls(t, port, stack.child.ca, 'localhost', (o.localAddress ? { localAddress: o.localAddress } : {}) as ConnectionOptions)
  const extra = Object.entries(o.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('')
  const res = await sendRaw(socket, `GET /${name} HTTP/1.1\r\nHost: ${o.host ?? `127.0.0.1:${port}`}\r\nAccept: application/json\r\n${extra}Connection: close\r\n\r\n`)
  socket.destroy()
  if (res === 'closed' || res.status !== 200) throw new Error(`${name}: ${res === 'closed' ? 'closed' : `${res.status} ${res.body}`}`)
  const doc = JSON.parse(res.body) as { versions: Record<string, { dist: { tarball: string } }> }
  return Object.values(doc.versions).map((v) => v.dist.tarball)
}
