// Reads a file the operator named (YAML, secrets, token files), refusing anything but a regular file:
// a FIFO or a device (file:/dev/zero) would block start-up or never end. Opened non-blocking and
// checked on the open descriptor, so what is read is what was checked.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs'

/** Throws an error with code ENOTREG for a file that is not a regular file (and the usual fs errors). */
export function readRegularFile(file: string): Buffer {
  return readRegularFileAndMode(file).bytes
}

/** readRegularFile, with the file's permission bits (of the file read, not of one that replaced it since). */
export function readRegularFileAndMode(file: string): { bytes: Buffer; mode: number } {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'ENOTREG' })
    return { bytes: readFileSync(fd), mode: stat.mode & 0o777 }
  } finally {
    closeSync(fd)
  }
}
