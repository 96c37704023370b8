// A log that goes to a regular file (`fedgate start > file`, the demo's child.log) is written synchronously,
// as nginx writes its access log: once the request log's flush returns, its lines are in the file, with
// pino's own lines before them, each whole. (Written through another thread, they would arrive later.)
import t from 'tap'
import { openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLogger, logDestination } from '../gateway/log.ts'
import { RequestLog } from '../gateway/request-log.ts'
import { tempDir } from './helpers/sites.ts'

for (const how of ['path', 'descriptor'] as const) {
  t.test(`a log file opened by ${how}: the lines are there when flush returns`, async (t) => {
    const file = join(tempDir(t), 'site.log')
    const destination = logDestination(how === 'path' ? file : openSync(file, 'a'))
    t.teardown(() => destination.end?.())
    const log = createLogger({ level: 'info', site: 'filed', destination })
    const requests = new RequestLog(log, destination)
    log.info('before the requests')
    for (let i = 0; i < 100; i++) requests.write({ method: 'GET', path: `/blobs/${i}/é` }, 200, i / 7)
    requests.flush()
    const lines = readFileSync(file, 'utf8').split('\n')
    t.equal(lines.pop(), '', 'the file ends with a whole line')
    const parsed = lines.map((l) => JSON.parse(l) as { msg: string; path?: string })
    t.equal(parsed[0]?.msg, 'before the requests', "pino's line first")
    t.same(parsed.slice(1).map((l) => l.path), Array.from({ length: 100 }, (_, i) => `/blobs/${i}/é`), 'then every request line, in order')
  })
}
