// A real redis-server on a free loopback port, without persistence, stopped at teardown. When the
// binary is missing the test fails with how to install it: the Redis mode is never skipped silently.
import { spawn, spawnSync } from 'node:child_process'
import { createServer, connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { TestLike } from './sites.ts'

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

export async function startRedis(t: TestLike): Promise<{ url: string; port: number; pid: number; stop(): Promise<void> }> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('redis-server is not installed: apt-get update && apt-get install -y redis-server (.ci/run installs it)')
  }
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  const stop = async () => {
    if (child.exitCode !== null) return
    const gone = new Promise((r) => child.once('exit', r))
    child.kill('SIGCONT') // a test may have frozen it (SIGSTOP): a stopped server would not act on SIGTERM
    child.kill('SIGTERM')
    await gone
  }
  t.teardown(stop)
  // Ready when it accepts a connection; bounded to ~5 s.
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const c = connect(port, '127.0.0.1', () => {
        c.destroy()
        r(true)
      })
      c.on('error', () => r(false))
    })
    if (ok) return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid!, stop }
    if (child.exitCode !== null) break
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`redis-server did not start on port ${port}`)
}
