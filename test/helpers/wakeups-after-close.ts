// Run as a child process (`node --import tsx this.ts <dir>`): starts a root site with metrics on, scrapes
// /metrics once, closes the site, then prints how often the main thread woke up in one idle second
// afterwards (Linux: its voluntary context switches), as JSON.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { parseConfig } from '../../gateway/config/load.ts'
import { startGateway } from '../../gateway/gateway.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import { rootYaml } from './hub.ts'

const dir = process.argv[2]!
const yaml = rootYaml('idle', 'metrics: { listen: { host: 127.0.0.1, port: 0 } }\n')
const config = parseConfig(yaml, join(dir, 'site.yaml'), builtinPlugins, process.env)
const gw = await startGateway(config, { plugins: builtinPlugins, logDestination: new Writable({ write: (_c, _e, cb) => cb() }), noSignals: true })
const scrape = await fetch(`http://127.0.0.1:${gw.metricsPort}/metrics`)
const text = await scrape.text()
await gw.close()

const wakeups = () => Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/self/task/${process.pid}/status`, 'utf8'))![1])
// Whatever the close itself left to settle settles first.
await new Promise((r) => setTimeout(r, 300))
const before = wakeups()
await new Promise((r) => setTimeout(r, 1000))
process.stdout.write(JSON.stringify({ scraped: text.includes('fedgate_nodejs_eventloop_lag_seconds'), wakeups: wakeups() - before }) + '\n')
