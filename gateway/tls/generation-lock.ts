// One certificate generation at a time in a tls dir. Two processes generating there at once (`fedgate
// certs` beside a starting `fedgate start`, two sites sharing the dir) took each other's `.pending`
// files for a crash's leftovers and each made a local CA. The lock is a file created exclusively,
// holding `host:pid`; one whose process is gone (on this host) is taken over, since a crash cannot
// remove it. Synchronous, as generation is: it runs at start, before anything listens.
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { processAlive } from '../util/process-alive.ts'

export const GENERATION_LOCK = 'certificates.lock'
/** A generation takes well under a second; a wait this long means a holder that is stuck or not fedgate's. */
export const GENERATION_LOCK_WAIT_MS = 30_000
/** A lock file still empty after this lost its holder between creating and writing it. */
const EMPTY_LOCK_STALE_MS = 5000
const POLL_MS = 50

/** Runs `work` holding `dir`'s generation lock; throws, naming the lock file, if another holder keeps it past `waitMs`. */
export function withGenerationLock<T>(dir: string, work: () => T, waitMs = GENERATION_LOCK_WAIT_MS): T {
  const file = join(dir, GENERATION_LOCK)
  const me = `${hostname()}:${process.pid}`
  mkdirSync(dir, { recursive: true })
  const deadline = Date.now() + waitMs
  for (;;) {
    if (create(file, me)) break
    const holder = read(file)
    if (holder === undefined) continue // removed meanwhile: try again at once
    if (stale(file, holder)) {
      takeOver(file, holder)
      continue
    }
    if (Date.now() >= deadline) {
      throw new Error(`${file}: another process (${holder || 'unknown'}) has been generating certificates in ${dir} for more than ${waitMs / 1000} s; if none is, remove the lock file`)
    }
    sleep(POLL_MS)
  }
  try {
    return work()
  } finally {
    // Only a lock that is still this process's: one taken over by mistake is its new holder's now.
    if (read(file) === me) rmSync(file, { force: true })
  }
}

function create(file: string, me: string): boolean {
  let fd: number
  try {
    fd = openSync(file, 'wx', 0o644)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
  try {
    writeSync(fd, `${me}\n`)
  } finally {
    closeSync(fd)
  }
  return true
}

/** The lock's `host:pid` ('' while its holder has yet to write it); undefined when there is no lock. */
function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    // Node's message names neither the file nor what to do (`EISDIR: illegal operation on a directory, read`).
    throw new Error(`${file}: the certificate generation lock cannot be read (${code ?? String(err)})${code === 'EISDIR' ? ': it is a directory, not a lock file; remove it' : ''}`)
  }
}

function stale(file: string, holder: string): boolean {
  if (holder === '') {
    try {
      return Date.now() - statSync(file).mtimeMs > EMPTY_LOCK_STALE_MS
    } catch {
      return false // removed meanwhile: the next try creates it
    }
  }
  const [host, pid] = [holder.slice(0, holder.lastIndexOf(':')), Number(holder.slice(holder.lastIndexOf(':') + 1))]
  // Another host's process cannot be looked at from here: its lock is waited for.
  if (host !== hostname()) return false
  // Generation runs synchronously, so this process never finds its own lock: its pid's is an earlier
  // process's (a container restarted, its site pid 1 again).
  return pid === process.pid || !processAlive(pid)
}

/**
 * Removes the lock `holder` left. Moved aside first and read there: had another process taken it over
 * meanwhile, its live lock would be the one moved, and it is put back (a link never replaces a file).
 */
function takeOver(file: string, holder: string): void {
  const aside = `${file}.stale-${process.pid}`
  try {
    renameSync(file, aside)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  if (read(aside) !== holder) {
    try {
      linkSync(aside, file)
    } catch {
      // A third process holds the lock now: the holder of the one moved aside will not remove it (see the release).
    }
  }
  rmSync(aside, { force: true })
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}
