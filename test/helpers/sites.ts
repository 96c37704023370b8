// Shared test fixtures: sites on port 0 with captured logs, plain origins, and a client that trusts the
// test CA. Every test builds on these instead of starting servers its own way.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import { Agent, request } from 'undici'
import { parseConfig, type SiteConfig } from '../../gateway/config/load.ts'
import { startGateway, type Gateway } from '../../gateway/gateway.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import type { GatewayPlugin } from '../../gateway/plugin-api.ts'
import { readFileSync } from 'node:fs'

export interface TestLike {
  teardown(fn: () => unknown): void
}

/** A temp folder removed at teardown. Certificates for every site of one test go in <dir>/certs. */
export function tempDir(t: TestLike, prefix = 'fedgate-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Collects every log line a site writes, as text and parsed. */
export class LogCapture extends Writable {
  text = ''
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString()
    cb()
  }
  lines(): Record<string, unknown>[] {
    return this.text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
  }
  /** The lines matching `match`, once there are at least `count` (bounded wait): request lines are written in batches. */
  async waitFor(match: (l: Record<string, unknown>) => boolean, count = 1): Promise<Record<string, unknown>[]> {
    for (let i = 0; i < 200; i++) {
      const got = this.lines().filter(match)
      if (got.length >= count) return got
      await new Promise((r) => setTimeout(r, 10))
    }
    return this.lines().filter(match)
  }
}

export interface TestSite {
  gw: Gateway
  logs: LogCapture
  dir: string
  /** https://127.0.0.1:<port> */
  url: string
  /** An undici dispatcher trusting the test CA. */
  agent: Agent
  ca: string
}

/**
 * Starts a site from YAML text (written to <dir>/<name>.yaml, so `file:` references resolve in dir).
 * Listens on 127.0.0.1 port 0 unless the YAML says otherwise. `plugins` (default the built-in ones) lets
 * a test wrap a plugin to watch it from outside (`countingRoutes`).
 */
export async function startSite(
  t: TestLike,
  yaml: string,
  o: { dir: string; name?: string; env?: NodeJS.ProcessEnv; clock?: Clock; plugins?: readonly GatewayPlugin[] } = { dir: '' },
): Promise<TestSite> {
  const dir = o.dir || tempDir(t)
  const file = join(dir, `${o.name ?? 'site'}.yaml`)
  writeFileSync(file, yaml)
  const plugins = o.plugins ?? builtinPlugins
  const config: SiteConfig = parseConfig(yaml, file, plugins, o.env ?? process.env)
  const logs = new LogCapture()
  const gw = await startGateway(config, { plugins, clock: o.clock, logDestination: logs, noSignals: true })
  const ca = readFileSync(gw.caFile, 'utf8')
  const agent = new Agent({ connect: { ca, rejectUnauthorized: true }, keepAliveTimeout: 1000 })
  t.teardown(async () => {
    await agent.close()
    await gw.close()
  })
  return { gw, logs, dir, url: `https://127.0.0.1:${gw.httpsPort}`, agent, ca }
}

/**
 * Minimal child YAML pointing at `rootUrl`; extra YAML is appended verbatim, `site` fields (`hosts: [a]`)
 * go in its site section. A plain-HTTP root is a loopback test origin (startOrigin, Verdaccio): its key
 * may go in clear, so that is allowed explicitly.
 */
export function childYaml(name: string, rootUrl: string, extra = '', site = ''): string {
  return `site: { name: ${name}, role: child${site ? `, ${site}` : ''} }
listen:
  https: { host: 127.0.0.1, port: 0 }
tls: { dir: certs }
log: { level: info }
root:
  url: ${rootUrl}
  key: file:./root.key
  ca: certs/ca.crt
${rootUrl.startsWith('http://') ? '  allowPlainHttpKey: true\n' : ''}${extra}`
}

export function writeSecret(dir: string, name: string, value: string): string {
  const f = join(dir, name)
  writeFileSync(f, value + '\n', { mode: 0o600 })
  return f
}

export interface Origin {
  url: string
  port: number
  /** Every request the origin saw: method, url, headers. */
  seen: { method: string; url: string; headers: http.IncomingHttpHeaders }[]
  server: http.Server
  close(): Promise<void>
}

/** A plain HTTP origin on 127.0.0.1:0 that records requests; `handler` answers them (default 200 "ok"). */
export async function startOrigin(t: TestLike, handler?: http.RequestListener): Promise<Origin> {
  const seen: Origin['seen'] = []
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    if (handler) return handler(req, res)
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end('ok')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
  }
  t.teardown(close)
  return { url: `http://127.0.0.1:${port}`, port, seen, server, close }
}

/** GET (or other) through a site with the test CA; returns status, headers and body text. */
export async function fetchText(
  site: Pick<TestSite, 'url' | 'agent'>,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const res = await request(site.url + path, { method: (init.method ?? 'GET') as 'GET', headers: init.headers, body: init.body, dispatcher: site.agent })
  const body = await res.body.text()
  return { status: res.statusCode, headers: res.headers, body }
}

/**
 * The built-in plugins, with every route of the plugin `name` wrapped to count, per raw target, how often
 * routing asked it (`match`) and how often it answered (`handle`): what a test sees of the request path
 * without a hook in the gateway's own code.
 */
export function countingRoutes(name: string): { plugins: GatewayPlugin[]; matched: Map<string, number>; handled: Map<string, number> } {
  const matched = new Map<string, number>()
  const handled = new Map<string, number>()
  const bump = (m: Map<string, number>, target: string) => m.set(target, (m.get(target) ?? 0) + 1)
  const plugins = builtinPlugins.map((p): GatewayPlugin => {
    if (p.name !== name) return p
    return {
      ...p,
      async setup(ctx) {
        const instance = await p.setup(ctx)
        // Replaced in place: the instance may keep its health() and close() on a prototype.
        instance.routes = instance.routes?.map((r) => ({
          ...r,
          match: (c: Parameters<typeof r.match>[0]) => (bump(matched, c.req.url!), r.match(c)),
          handle: (c: Parameters<typeof r.handle>[0]) => (bump(handled, c.req.url!), r.handle(c)),
        }))
        return instance
      },
    }
  })
  return { plugins, matched, handled }
}
