// A fedgate site as a user runs it with several cores: `fedgate start --workers N` in its own process
// tree, its log lines (the request log too) written to a file, as the in-process bench sites' are.
import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { treeCpuUs } from './proc-stat.ts'

const BIN = fileURLToPath(new URL('../../gateway/cli/bin.mjs', import.meta.url))

export interface WorkersSite {
  httpsUrl: string
  httpUrl?: string
  /** CPU µs the primary and its workers have used so far. */
  cpuUs(): number
  close(): Promise<void>
}

/** Starts the site `file` describes with `workers` processes; resolves once every worker listens (bounded: 60 s). */
export async function startWorkersSite(file: string, workers: number, logFile: string): Promise<WorkersSite> {
  const out = openSync(logFile, 'a')
  const proc = spawn(process.execPath, [BIN, 'start', '--config', file, '--workers', String(workers)], { stdio: ['ignore', out, 'inherit'] })
  closeSync(out)
  const exited = new Promise<void>((r) => proc.once('exit', () => r()))
  const close = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM')
    const t = setTimeout(() => proc.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(t)
  }
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) throw new Error(`fedgate --workers ${workers} exited (${proc.exitCode}); see ${logFile}`)
    const listening = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"fedgate listening"'))
      .map((l) => JSON.parse(l) as { https: number; http?: number })
    if (listening.length >= workers) {
      const { https, http } = listening[0]!
      return { httpsUrl: `https://127.0.0.1:${https}`, httpUrl: http ? `http://127.0.0.1:${http}` : undefined, cpuUs: () => treeCpuUs(proc.pid!), close }
    }
    await sleep(100)
  }
  await close()
  throw new Error(`fedgate --workers ${workers} did not listen within 60 s; see ${logFile}`)
}
