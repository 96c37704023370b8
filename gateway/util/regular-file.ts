// Reads a file the operator named (YAML, secrets, token files), refusing anything but a regular file:
// a FIFO or a device (file:/dev/zero) would block start-up or never end. Opened non-blocking and
// checked on the open descriptor, so what is read is what was checked.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs'

/** Throws an error with code ENOTREG for a file that is not a regular file (and the usual fs errors). */
export function readRegularFile(file: string): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'ENOTREG' })
    return readFileSync(fd)
  } finally {
    closeSync(fd)
  }
}
