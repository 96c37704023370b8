// A generated certificate and key written so that a crash leaves the old pair or the new one, never one
// file of each: both are written in full beside their places (`<file>.pending`, each synced), then
// renamed into them, the key first. A crash can so leave pending files (the last one partial), or the
// key in place and the certificate still pending; the next start finds them (ensureCertificates) and
// completes the pair or throws them away.
import { closeSync, existsSync, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

export interface PairFiles {
  cert: string
  key: string
}

/** Where `file` is written before it is renamed into place. */
export const pendingPath = (file: string): string => `${file}.pending`

/** The pending files a generation of `files` left, key first. */
export function pendingFiles(files: PairFiles): string[] {
  return [files.key, files.cert].map(pendingPath).filter((f) => existsSync(f))
}

/** The pair as it will be once its pending files are in place: each pending file, else the file in place. */
export function pairOncePlaced(files: PairFiles): PairFiles {
  const placed = (f: string) => (existsSync(pendingPath(f)) ? pendingPath(f) : f)
  return { cert: placed(files.cert), key: placed(files.key) }
}

/** Writes `pem` to `files`: the key mode 0600 from its first byte, the certificate 0644. */
export function writePair(files: PairFiles, pem: PairFiles): void {
  for (const f of [files.key, files.cert]) mkdirSync(dirname(f), { recursive: true })
  writeSynced(pendingPath(files.key), pem.key, 0o600)
  writeSynced(pendingPath(files.cert), pem.cert, 0o644)
  syncFolders(files) // both pending files are on disk, whole, before either replaces anything
  placePending(files)
}

/** Renames the pending files into place, the key first (as writePair does). */
export function placePending(files: PairFiles): void {
  for (const f of [files.key, files.cert]) if (existsSync(pendingPath(f))) renameSync(pendingPath(f), f)
  syncFolders(files)
}

export function dropPending(files: PairFiles): void {
  for (const f of [files.key, files.cert]) rmSync(pendingPath(f), { force: true })
}

function writeSynced(file: string, content: string, mode: number): void {
  // A crash may have left this file, with any mode: open's mode applies only to a new file.
  const fd = openSync(file, 'w', mode)
  try {
    fchmodSync(fd, mode)
    writeFileSync(fd, content)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Makes the folders' entries (the files' names) durable: a synced file can still be lost with its name. */
function syncFolders(files: PairFiles): void {
  for (const dir of new Set([dirname(files.key), dirname(files.cert)])) {
    let fd: number | undefined
    try {
      fd = openSync(dir, 'r')
      fsyncSync(fd)
    } catch {
      // Not every system syncs a folder (Windows refuses to open one): the renames are atomic all the same.
    } finally {
      if (fd !== undefined) closeSync(fd)
    }
  }
}
