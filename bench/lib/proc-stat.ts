// CPU times from Linux /proc stat files (`/proc/<pid>/stat`, `/proc/<pid>/task/<tid>/stat`), in seconds.
import { readFileSync } from 'node:fs'

export interface CpuTimes {
  user: number
  system: number
}

/**
 * The user and system CPU seconds a stat file records: the process's (or thread's) own, or with
 * `reaped` its children's that have exited and been waited for. Throws when the process is gone.
 */
export function statCpu(file: string, o: { reaped?: boolean } = {}): CpuTimes {
  const stat = readFileSync(file, 'utf8')
  // After the command name, which may itself hold spaces and parentheses: utime, stime, cutime and
  // cstime are fields 14–17 of the file, in ticks of 1/100 s.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const at = o.reaped ? 13 : 11
  return { user: Number(f[at]) / 100, system: Number(f[at + 1]) / 100 }
}

/** The pids of a process's direct children (Linux /proc); none once it is gone. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** utime + stime of a process and its direct children (a master and its workers), in µs; 0 for one gone. */
export function treeCpuUs(pid: number): number {
  return [pid, ...childPids(pid)].reduce((n, p) => {
    try {
      const { user, system } = statCpu(`/proc/${p}/stat`)
      return n + (user + system) * 1e6
    } catch {
      return n
    }
  }, 0)
}
