// A process's log as it writes it: each stdout line parsed as JSON (pino's lines), for the tests' and the
// benches' `fedgate start` processes alike.
import type { Readable } from 'node:stream'
import { createInterface } from 'node:readline'

/** Calls `each` with every line `stream` writes, parsed (parseJsonLine). */
export function onJsonLines(stream: Readable, each: (line: Record<string, unknown>) => void): void {
  createInterface({ input: stream }).on('line', (text) => each(parseJsonLine(text)))
}

/** One log line, parsed; a line that is not JSON comes as `{ msg: line }`. */
export function parseJsonLine(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch {
    return { msg: text }
  }
}
