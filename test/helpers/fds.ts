// Counts the file descriptors one in-process site holds (Linux /proc): its listener and the connections
// it accepted, its connections to an upstream, and files under its folder. The clients and the root in
// the same process are not counted, so a test can bound what the site itself keeps open.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

/** Socket inodes of TCP entries whose local port is one of `local` or whose remote port is one of `remote`. */
function socketInodes(local: readonly number[], remote: readonly number[]): Set<string> {
  const out = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string
    try {
      text = readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f.length < 10) continue
      const port = (addr: string) => parseInt(addr.slice(addr.lastIndexOf(':') + 1), 16)
      if (local.includes(port(f[1]!)) || remote.includes(port(f[2]!))) out.add(f[9]!)
    }
  }
  return out
}

export interface SiteFds {
  sockets: number
  files: number
  total: number
}

/**
 * @param ports the site's listening ports (its accepted connections have them as local port)
 * @param upstreamPorts ports the site connects to (its root)
 * @param dir the site's own folder (its store)
 */
export function siteFds(o: { ports: readonly number[]; upstreamPorts?: readonly number[]; dir?: string }): SiteFds {
  const inodes = socketInodes(o.ports, o.upstreamPorts ?? [])
  let sockets = 0
  let files = 0
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`)
    } catch {
      continue // closed meanwhile
    }
    const socket = /^socket:\[(\d+)\]$/.exec(target)
    if (socket) {
      if (inodes.has(socket[1]!)) sockets++
    } else if (o.dir && target.startsWith(o.dir)) files++
  }
  return { sockets, files, total: sockets + files }
}
