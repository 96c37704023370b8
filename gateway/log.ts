import pino, { type Logger, type DestinationStream } from 'pino'
import { scrubSecrets } from './config/secret.ts'

export type { Logger }

/** JSON lines; every line passes through the secret scrubber before it is written. */
export function createLogger(opts: { level: string; site: string; destination: DestinationStream }): Logger {
  return pino(
    {
      level: opts.level,
      base: { site: opts.site },
      formatters: { level: (label) => ({ level: label }) },
      // Headers are never logged; these paths catch them should an object slip into a log call.
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-apikey"]', 'headers.authorization', 'headers["x-apikey"]', 'headers.cookie'], censor: '[redacted]' },
      hooks: { streamWrite: scrubSecrets },
    },
    opts.destination,
  )
}

/** Standard output, written asynchronously in batches (pino's own destination). */
export function stdoutDestination(): DestinationStream {
  return pino.destination({ dest: 1, sync: false })
}
