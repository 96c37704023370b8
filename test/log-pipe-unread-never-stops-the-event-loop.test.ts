// A log that goes to a pipe (standard output under systemd or docker) is written asynchronously: when its
// reader stops reading and the pipe fills, the gateway's event loop goes on turning, and once the reader
// reads again every line arrives whole, in order. (Written synchronously, the process would stop until
// the reader came back.)
import t from 'tap'
import { spawn } from 'node:child_process'
import type { Writable } from 'node:stream'
import { createLogger, logDestination } from '../gateway/log.ts'
import { RequestLog } from '../gateway/request-log.ts'

t.test('a full pipe holds lines back without stopping the event loop; they all arrive', async (t) => {
  // A log collector that reads its standard input (the log's pipe) only once told to on descriptor 3.
  const collector = spawn('sh', ['-c', 'read go <&3; exec cat'], { stdio: ['pipe', 'pipe', 'inherit', 'pipe'] })
  t.teardown(() => void collector.kill('SIGKILL'))
  const fd = (collector.stdin as unknown as { _handle: { fd: number } })._handle.fd
  const destination = logDestination(fd)
  const requests = new RequestLog(createLogger({ level: 'info', site: 'piped', destination }), destination)

  // About 4 MiB of lines where the pipe holds 64 KiB: most wait for the collector.
  const path = '/long/' + 'x'.repeat(2000)
  const count = 2000
  for (let i = 0; i < count; i++) {
    requests.write({ method: 'GET', path: `${path}/${i}` }, 200, 1)
    if (i % 100 === 99) await new Promise((r) => setImmediate(r))
  }
  requests.flush()
  let turns = 0
  const turning = setInterval(() => turns++, 5)
  await new Promise((r) => setTimeout(r, 300))
  clearInterval(turning)
  t.ok(turns > 0, `the event loop turns while the pipe is full (${turns} timer turns in 300 ms)`)

  let text = ''
  collector.stdout!.setEncoding('utf8')
  collector.stdout!.on('data', (d: string) => (text += d))
  ;(collector.stdio[3] as Writable).write('go\n')
  for (let i = 0; i < 500 && text.split('\n').length <= count; i++) await new Promise((r) => setTimeout(r, 20))
  const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { path: string })
  t.same(lines.map((l) => l.path), Array.from({ length: count }, (_, i) => `${path}/${i}`), 'every line arrives whole, in order')
})
