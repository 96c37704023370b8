// The sites the lag bench measures, each in its own process (its CPU and RSS its own):
//   root                                   a root with a read key for its children and a publish key
//   child <upstream> <key> <ca> <on|off>   a child of <upstream> (stream on or off), issuing a read key of its own
// Run as `node --import tsx bench/lib/lag-peers.ts <role> …`; reports over IPC. Not imported: its top level starts the peer.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { benchDir, startBenchSite } from './site.ts'
import type { KeyRing } from '../../plugins/hub/keys.ts'

export interface LagPeerReady {
  url: string
  ca: string
  /** A read key this site issued, for its own children and for stream subscribers. */
  readKey: string
  publishKey?: string
}

type Reply = { ready: LagPeerReady } | { rss: number }
const reply = (m: Reply) => process.send!(m)

async function start(role: string, args: string[]): Promise<void> {
  const { dir } = benchDir()
  const head = `listen:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs, watch: false }\nlog: { level: warn, requests: false }\n`
  let yaml: string
  if (role === 'root') {
    yaml = `site: { name: root, role: root }\n${head}hub: { stream: { maxSubscribers: 5000 } }\n`
  } else {
    const [upstream, key, ca, stream] = args as [string, string, string, string]
    writeFileSync(join(dir, 'upstream.key'), key + '\n', { mode: 0o600 })
    yaml = `site: { name: ${process.env.FEDGATE_BENCH_NAME ?? 'child'}, role: child }\n${head}root: { url: ${upstream}, key: file:./upstream.key, ca: ${ca} }\nrepositories: [bench/app]\nsync: { stream: { enabled: ${stream === 'on'} } }\n`
  }
  const site = await startBenchSite(yaml, { dir })
  const keys = site.gw.service<KeyRing>('keys')!
  const readKey = (await keys.create({ name: 'children', scope: 'read' })).key
  const publishKey = role === 'root' ? (await keys.create({ name: 'bench', scope: 'publish', namespaces: ['*'] })).key : undefined
  reply({ ready: { url: site.httpsUrl, ca: site.gw.caFile, readKey, publishKey } })
}

process.on('message', (m: { rss?: true }) => {
  if (m.rss) {
    globalThis.gc?.()
    reply({ rss: process.memoryUsage().rss })
  }
})
process.on('disconnect', () => process.exit(0))
const [role, ...args] = process.argv.slice(2)
start(role!, args).catch((err) => {
  console.error(err)
  process.exit(1)
})
