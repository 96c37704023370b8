// A fedgate child forwarding to an origin, in its own process (as nginx is), for the forward bench's
// like-for-like row against nginx. Run as `node --import tsx bench/lib/forward-peer.ts <dir> <origin-url>
// <connections>` (the root key already in <dir>/root.key); reports `{ ready: { url } }` over IPC. Not
// imported: its top level starts the site.
import { forwardingChildYaml, startBenchSite } from './site.ts'

const [dir, origin, connections] = process.argv.slice(2)
const site = await startBenchSite(forwardingChildYaml('peer', origin!, `forward: { connections: ${connections} }\n`), { dir, name: 'peer' })
process.send!({ ready: { url: site.httpUrl! } })
process.on('message', (m: { rss?: true }) => {
  if (m.rss) process.send!({ rss: process.memoryUsage().rss })
})
// A clean exit either way, so a profile (NODE_OPTIONS=--cpu-prof) is written.
const stop = () => void site.close().then(() => process.exit(0))
process.on('disconnect', stop)
process.on('SIGTERM', stop)
