// A process's log as it writes it: each stdout line parsed as JSON (pino's lines), for the tests' and the
// benches' `fedgate start` processes alike.
import type { Readable } from 'node:stream'
import { createInterface } from 'node:readline'

/** Calls `each` with every line `stream` writes, parsed; a line that is not JSON comes as `{ msg: line }`. */
export function onJsonLines(stream: Readable, each: (line: Record<string, unknown>) => void): void {
  createInterface({ input: stream }).on('line', (text) => {
    let line: Record<string, unknown>
    try {
      line = JSON.parse(text) as Record<string, unknown>
    } catch {
      line = { msg: text }
    }
    each(line)
  })
}
