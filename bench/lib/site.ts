// Starts a fedgate site from YAML text for a bench: temp folder, port 0 on loopback, request log
// written to a file (a real asynchronous destination, so its cost is part of the figures).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { logDestination } from '../../gateway/log.ts'
import { parseConfig } from '../../gateway/config/load.ts'
import { startGateway, type Gateway } from '../../gateway/gateway.ts'
import { builtinPlugins } from '../../plugins/index.ts'

export interface BenchSite {
  gw: Gateway
  dir: string
  /** https://127.0.0.1:<port> */
  httpsUrl: string
  /** http://127.0.0.1:<port> when the YAML has listen.http. */
  httpUrl?: string
  logFile: string
  close(): Promise<void>
}

/** A temp folder and its removal; files written beside the YAML resolve `file:` references. */
export function benchDir(prefix = 'fedgate-bench-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export async function startBenchSite(yaml: string, o: { dir?: string; name?: string; env?: NodeJS.ProcessEnv } = {}): Promise<BenchSite> {
  const own = o.dir ? undefined : benchDir()
  const dir = o.dir ?? own!.dir
  const file = join(dir, `${o.name ?? 'site'}.yaml`)
  writeFileSync(file, yaml)
  const config = parseConfig(yaml, file, builtinPlugins, o.env ?? process.env)
  const logFile = join(dir, `${o.name ?? 'site'}.log`)
  const destination = logDestination(logFile)
  const gw = await startGateway(config, { plugins: builtinPlugins, logDestination: destination, noSignals: true })
  return {
    gw,
    dir,
    httpsUrl: `https://127.0.0.1:${gw.httpsPort}`,
    httpUrl: gw.httpPort ? `http://127.0.0.1:${gw.httpPort}` : undefined,
    logFile,
    close: async () => {
      await gw.close()
      destination.end?.()
      own?.remove()
    },
  }
}

/** A child site's YAML forwarding to `rootUrl`, on loopback port 0, with a plain-HTTP listener that serves. */
export function forwardingChildYaml(name: string, rootUrl: string, extra = ''): string {
  return `site: { name: ${name}, role: child }
listen:
  https: { host: 127.0.0.1, port: 0 }
  http: { host: 127.0.0.1, port: 0, redirectToHttps: false }
tls: { dir: certs, watch: false }
log: { level: info }
root:
  url: ${rootUrl}
  key: file:./root.key
${rootUrl.startsWith('http://') ? '  allowPlainHttpKey: true # the loopback bench origin\n' : ''}${extra}`
}
