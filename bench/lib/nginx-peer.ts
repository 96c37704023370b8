// nginx in front of an origin, with proxy_cache (or, `cache: false`, a plain proxy_pass with upstream
// keep-alive), from a config written under a temp folder (pid, logs,
// cache and temp paths there), on loopback ports, in the foreground; stopped with SIGQUIT then SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import net, { type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { findPeer } from './peers.ts'
import { treeCpuUs } from './proc-stat.ts'

export interface NginxPeer {
  httpUrl: string
  httpsUrl: string
  /** CPU µs the nginx processes (master and worker) have used so far. */
  cpuUs(): number
  close(): Promise<void>
}

export interface NginxOptions {
  dir: string
  originUrl: string
  /** The HTTPS listener's certificate and key; without them nginx listens on HTTP only (httpsUrl empty). */
  cert?: string
  key?: string
  /** proxy_cache on (default), or every request passed to the origin. */
  cache?: boolean
  /** Idle keep-alive connections to the origin (default 16). */
  keepalive?: number
  /** Its folder under dir (default nginx, nginx-proxy without cache, nginx-<workers> with workers). */
  name?: string
  /** More directives in the cached location (proxy_cache_lock, say). */
  location?: string
  /** worker_processes (default 1). */
  workers?: number
  /** A WebSocket relay: the upgrade passed on, no cache, no upstream keep-alive (each tunnel is its own connection). */
  websocket?: boolean
}

/** nginx in front of `originUrl`, or undefined (with a line saying how to install it) when it is absent. */
export async function startNginxPeer(o: NginxOptions): Promise<NginxPeer | undefined> {
  const bin = findPeer({ command: 'nginx', apt: 'nginx' })
  if (!bin) return undefined
  // Its own prefix per peer, so several can run in one bench.
  const prefix = join(o.dir, o.name ?? (o.websocket ? 'nginx-ws' : o.cache === false ? 'nginx-proxy' : o.workers && o.workers > 1 ? `nginx-${o.workers}` : 'nginx'))
  for (const d of ['cache', 'tmp', 'logs']) mkdirSync(join(prefix, d), { recursive: true })
  const [httpPort, httpsPort] = [await freePort(), await freePort()]
  const conf = join(prefix, 'nginx.conf')
  writeFileSync(conf, nginxConf({ ...o, httpPort, httpsPort, user: process.getuid?.() === 0 ? 'root' : undefined }))
  const proc = spawn(bin, ['-p', prefix + '/', '-c', conf, '-e', join(prefix, 'logs/error.log'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
  try {
    await waitListening(proc, httpPort, () => stderr)
    if (o.cert) await waitListening(proc, httpsPort, () => stderr)
  } catch (err) {
    proc.kill('SIGKILL')
    throw err
  }
  return {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    httpsUrl: o.cert ? `https://127.0.0.1:${httpsPort}` : '',
    cpuUs: () => treeCpuUs(proc.pid!),
    close: () => stop(proc),
  }
}

function nginxConf(o: NginxOptions & { httpPort: number; httpsPort: number; user?: string }): string {
  const cache = o.cache !== false && !o.websocket
  const proxied = o.websocket
    ? '      proxy_set_header Upgrade $http_upgrade;\n      proxy_set_header Connection "upgrade";\n      proxy_read_timeout 1h;\n'
    : '      proxy_set_header Connection "";\n'
  // One worker (unless `workers` says more): the Node servers it is compared with have one event loop each. No tcp_nopush: on this
  // loopback it held the tail of every 100 KiB answer for a 40 ms delayed ACK (about 1,000 req/s
  // instead of 14,000), which would flatter whatever nginx is compared with.
  return `${o.user ? `user ${o.user};\n` : ''}worker_processes ${o.workers ?? 1};
pid nginx.pid;
events { worker_connections 4096; }
http {
  access_log logs/access.log combined buffer=64k flush=1s;
  sendfile on;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  client_body_temp_path tmp/body;
  proxy_temp_path tmp/proxy;
  fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi;
  scgi_temp_path tmp/scgi;
${cache ? '  proxy_cache_path cache levels=1:2 keys_zone=hit:10m max_size=256m inactive=1h use_temp_path=off;\n' : ''}  upstream origin { server ${new URL(o.originUrl).host}; keepalive ${o.keepalive ?? 16}; }
  server {
    listen 127.0.0.1:${o.httpPort};
${o.cert ? `    listen 127.0.0.1:${o.httpsPort} ssl;\n    ssl_certificate ${o.cert};\n    ssl_certificate_key ${o.key};\n` : ''}    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
${proxied}${cache ? `      proxy_cache hit;\n      proxy_cache_valid 200 1h;\n      add_header X-Cache-Status $upstream_cache_status;\n${o.location ?? ''}` : ''}    }
  }
}
`
}

async function freePort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

/** Bounded wait until nginx accepts on `port`; fails with its stderr if it exits first. */
async function waitListening(proc: ChildProcess, port: number, stderr: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`nginx exited (${proc.exitCode}): ${stderr().trim()}`)
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => (c.destroy(), r(true)))
      c.on('error', () => r(false))
    })
    if (ok) return
    await sleep(50)
  }
  throw new Error(`nginx did not listen on ${port} within 5 s: ${stderr().trim()}`)
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return
  const exited = new Promise<void>((r) => proc.once('exit', () => r()))
  proc.kill('SIGQUIT') // graceful: the worker finishes and the master removes its pid file
  const t = setTimeout(() => proc.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(t)
}
