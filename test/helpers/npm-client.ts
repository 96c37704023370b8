// Runs the real npm client, isolated from the machine's npm settings: a temp userconfig (registry,
// token, cafile), an empty global config and an empty cache per call unless one is given.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface NpmResult {
  code: number
  stdout: string
  stderr: string
  ms: number
}

export interface NpmConfig {
  /** Folder for the userconfig, the empty global config and caches. */
  dir: string
  registry: string
  /** `//host:port/:_authToken=` for this registry. */
  token?: string
  /** CA file trusted for the registry (a gateway's site CA). */
  cafile?: string
  /** Extra `key=value` lines (fetch-retries=0, …). */
  extra?: Record<string, string>
}

/** Writes the userconfig and returns the flags that make npm read only it. */
export function npmrc(c: NpmConfig): string[] {
  mkdirSync(c.dir, { recursive: true })
  const u = new URL(c.registry)
  const lines = [
    `registry=${c.registry}`,
    // The machine's global npmrc omits `resolved` from lockfiles; the tests read it.
    'omit-lockfile-registry-resolved=false',
    'audit=false',
    'fund=false',
    'update-notifier=false',
    'loglevel=warn',
    c.cafile ? `cafile=${c.cafile}` : '',
    c.token ? `//${u.host}${u.pathname}:_authToken=${c.token}` : '',
    ...Object.entries(c.extra ?? {}).map(([k, v]) => `${k}=${v}`),
  ].filter(Boolean)
  const userconfig = join(c.dir, 'npmrc')
  const globalconfig = join(c.dir, 'global-npmrc')
  writeFileSync(userconfig, lines.join('\n') + '\n', { mode: 0o600 })
  writeFileSync(globalconfig, '')
  return ['--userconfig', userconfig, '--globalconfig', globalconfig]
}

/** The environment without inherited npm settings (tap and `npm run` set npm_config_*). */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'NODE_EXTRA_CA_CERTS' && k !== 'NODE_OPTIONS') env[k] = v
  return env
}

/** Runs `npm <args>` in `cwd` with config `c`; a fresh empty cache unless `cache` is given. Bounded by `timeout`. */
export function runNpm(c: NpmConfig, args: string[], o: { cwd: string; cache?: string; timeout?: number }): Promise<NpmResult> {
  mkdirSync(c.dir, { recursive: true })
  const cache = o.cache ?? mkdtempSync(join(c.dir, 'cache-'))
  const argv = [...args, ...npmrc(c), '--cache', cache, '--no-audit', '--no-fund', '--no-update-notifier']
  const started = performance.now()
  return new Promise((resolve) => {
    execFile('npm', argv, { cwd: o.cwd, env: cleanEnv(), timeout: o.timeout ?? 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0
      resolve({ code, stdout: String(stdout), stderr: String(stderr), ms: performance.now() - started })
    })
  })
}

/** A temp project folder with a package.json listing `dependencies`. */
export function project(dir: string, dependencies: Record<string, string> = {}): string {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, dependencies }, null, 2))
  return dir
}
