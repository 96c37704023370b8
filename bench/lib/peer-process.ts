// A bench peer in its own process (its CPU and RSS its own): forked with tsx, it reports `{ ready }`
// over IPC once it serves and answers `{ rss: true }` with its resident set after a GC.
import { fork, type ChildProcess } from 'node:child_process'

export interface PeerProcess<R> {
  ready: R
  child: ChildProcess
  rss(): Promise<number>
  stop(): void
}

export async function forkPeer<R>(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<PeerProcess<R>> {
  const child = fork(script, args, {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const ready = await new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start`)), 30_000)
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)))
    child.once('message', (m: { ready: R }) => {
      clearTimeout(timer)
      resolve(m.ready)
    })
  })
  return {
    ready,
    child,
    rss: () =>
      new Promise((resolve) => {
        child.once('message', (m: { rss: number }) => resolve(m.rss))
        child.send({ rss: true })
      }),
    stop: () => void child.kill(),
  }
}
