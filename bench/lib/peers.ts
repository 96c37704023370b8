// Benches that compare with a peer program (nginx, redis, …) skip that row when it is not installed.
import { spawnSync } from 'node:child_process'

export interface Peer {
  /** Executable looked up on PATH (and /usr/sbin, where nginx lives). */
  command: string
  /** apt package that provides it. */
  apt: string
}

/** The executable's path, or undefined after printing how to install it. */
export function findPeer(p: Peer): string | undefined {
  if (!/^[\w.-]+$/.test(p.command)) throw new Error(`not a command name: ${p.command}`)
  const r = spawnSync('sh', ['-c', `command -v ${p.command}`], { env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` }, encoding: 'utf8' })
  const path = r.status === 0 ? r.stdout.trim() : ''
  if (path) return path
  console.log(`skipped: install with apt-get install -y ${p.apt}`)
  return undefined
}
