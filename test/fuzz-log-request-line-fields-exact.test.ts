// Property: the request log writes a line's method, path and duration as JSON.stringify would (the path
// after `"path":` is exactly JSON.stringify(path), whatever its characters: quotes, backslashes, control
// characters, lone surrogates, non-ASCII), and `ms` as the text of Math.round(ms * 100) / 100; every line
// parses, and gives back the path it was given.
import { Writable } from 'node:stream'
import t from 'tap'
import fc from 'fast-check'
import { createLogger } from '../gateway/log.ts'
import { RequestLog } from '../gateway/request-log.ts'
import { biased, holds } from './helpers/fuzz.ts'

const PIECES = ['/api/v1/repos/', 'acme/app', '"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\ud800', '\udfff', '\ud83d\ude00', 'é', '%22', '/', '?q=1', '\u2028']
const path = fc.oneof(biased(PIECES, 10), fc.string({ unit: 'binary', maxLength: 40 }))
const method = fc.constantFrom('GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'M-SEARCH')
const ms = fc.oneof(fc.double({ min: 0, max: 1e9, noNaN: true }), fc.integer({ min: 0, max: 100_000 }).map((n) => n / 1000))

t.test('a request line holds method, path and ms exactly as JSON.stringify writes them', async (t) => {
  let text = ''
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString()
      done()
    },
  })
  const log = new RequestLog(createLogger({ level: 'info', site: 'fuzz', destination }), destination)
  await holds(
    t,
    'method, path and ms as JSON.stringify writes them',
    fc.asyncProperty(method, path, ms, async (m, p, d) => {
      text = ''
      log.write({ method: m, path: p }, 200, d)
      log.flush()
      await new Promise((r) => setImmediate(r))
      const line = text.trimEnd()
      const want = `"method":${JSON.stringify(m)},"path":${JSON.stringify(p || '(refused)')},"status":200,"ms":${Math.round(d * 100) / 100},`
      const parsed = JSON.parse(line) as { path: string; ms: number }
      return line.includes(want) && parsed.path === (p || '(refused)') && !text.slice(0, -1).includes('\n')
    }),
    2000,
  )
})
