// The forward bench's floor for any Node proxy, in its own process as nginx and fedgate's own-process row
// are: node:http's server handing each request to undici's raw dispatch API on a keep-alive pool, the
// root's head and body passed on as they come. No guard, routing, header policy, key, log or limits:
// what a Node proxy cannot do without. Run as `node --import tsx bench/lib/floor-proxy-peer.ts
// <origin-url> <connections>`; reports `{ ready: { url } }` over IPC. Not imported: its top level starts it.
import http from 'node:http'
import { Pool, type Dispatcher } from 'undici'

const [origin, connections] = process.argv.slice(2)
const pool = new Pool(origin!, { connections: Number(connections), pipelining: 1 })

class Relay implements Dispatcher.DispatchHandler {
  constructor(private readonly res: http.ServerResponse) {}
  onConnect(): void {}
  onHeaders(status: number, raw: Buffer[]): boolean {
    const headers: string[] = []
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!.toString('latin1')
      // Hop-by-hop: the client's connection is not the origin's.
      if (name.length === 10 && name.toLowerCase() === 'connection') continue
      headers.push(name, raw[i + 1]!.toString('latin1'))
    }
    this.res.writeHead(status, headers)
    return true
  }
  onData(chunk: Buffer): boolean {
    return this.res.write(chunk)
  }
  onComplete(): void {
    this.res.end()
  }
  onError(): void {
    if (this.res.headersSent) this.res.destroy()
    else this.res.writeHead(502).end()
  }
}

const server = http.createServer((req, res) => {
  pool.dispatch({ path: req.url!, method: req.method as Dispatcher.HttpMethod, headers: { host: req.headers.host ?? '' }, body: null }, new Relay(res))
})
server.listen(0, '127.0.0.1', () => {
  process.send!({ ready: { url: `http://127.0.0.1:${(server.address() as { port: number }).port}` } })
})
process.on('disconnect', () => process.exit(0))
