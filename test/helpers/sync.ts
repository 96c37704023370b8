// Fixtures for the sync tests: a TCP proxy in front of a root that can throttle, count and be killed
// mid-transfer (and come back on the same port), and a bounded wait on a site's sync status.
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { TestLike } from './sites.ts'

export interface TcpProxy {
  port: number
  url: string
  /** Bytes sent from the target to clients (blob bytes moving downstream, plus headers). */
  bytesDown: number
  /** Stops listening and cuts every connection at once, as a dead host would. */
  kill(): Promise<void>
  /** Listens again on the same port. */
  revive(): Promise<void>
  /** Bytes per second downstream; 0: unthrottled. */
  rate: number
}

export async function startTcpProxy(t: TestLike, target: { host: string; port: number }, o: { rate?: number; scheme?: 'https' | 'http' } = {}): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>()
  let server: net.Server | undefined
  const proxy: TcpProxy = {
    port: 0,
    url: '',
    bytesDown: 0,
    rate: o.rate ?? 0,
    kill: async () => {
      const s = server
      server = undefined
      for (const sock of sockets) sock.destroy()
      sockets.clear()
      if (s) await new Promise<void>((r) => s.close(() => r()))
    },
    revive: async () => {
      if (!server) await listen(proxy.port)
    },
  }
  const onConnection = (client: net.Socket) => {
    const upstream = net.connect(target.port, target.host)
    sockets.add(client)
    sockets.add(upstream)
    const end = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
    client.pipe(upstream)
    upstream.on('data', (chunk: Buffer) => {
      proxy.bytesDown += chunk.length
      const ok = client.write(chunk)
      if (proxy.rate > 0) {
        // Hold the upstream for as long as this chunk takes at the set rate.
        upstream.pause()
        setTimeout(() => upstream.resume(), Math.ceil((chunk.length / proxy.rate) * 1000)).unref()
      } else if (!ok) {
        upstream.pause()
        client.once('drain', () => upstream.resume())
      }
    })
  }
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer(onConnection)
      s.once('error', reject)
      s.listen(port, '127.0.0.1', () => {
        server = s
        proxy.port = (s.address() as AddressInfo).port
        proxy.url = `${o.scheme ?? 'https'}://127.0.0.1:${proxy.port}`
        resolve()
      })
    })
  await listen(0)
  t.teardown(() => proxy.kill())
  return proxy
}

/** Polls `check` every 25 ms until it returns a truthy value; fails after `ms` (a bound, not a timing). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, ms = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await check()
    if (v) return v as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}
