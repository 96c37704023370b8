// Request lines are built by the request log itself and written to the same file destination as pino's
// own lines (gateway/request-log.ts). Under a burst of requests with long, non-ASCII paths, the file
// holds every line whole, each value exact, the duration to the hundredth, and pino's lines in their
// place around them.
import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { logDestination } from '../gateway/log.ts'
import { Agent, request } from 'undici'
import { parseConfig } from '../gateway/config/load.ts'
import { startGateway } from '../gateway/gateway.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { tempDir } from './helpers/sites.ts'

t.test('a log file holds every request line whole, with exact values, among pino lines', async (t) => {
  const dir = tempDir(t)
  const yaml = `site: { name: filelog, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs, watch: false }\nlog: { level: info }\n`
  const file = join(dir, 'site.yaml')
  writeFileSync(file, yaml)
  const logFile = join(dir, 'logs', 'site.log')
  const destination = logDestination(logFile)
  const gw = await startGateway(parseConfig(yaml, file, builtinPlugins, process.env), { plugins: builtinPlugins, logDestination: destination, noSignals: true })
  const agent = new Agent({ connect: { ca: readFileSync(gw.caFile, 'utf8') }, connections: 50 })
  t.teardown(() => agent.close())

  // 300 requests for absent paths of about 3 KiB (a root answers 404 at once), 50 at a time: over 800 KiB
  // of lines. Each path is distinct, some name the same long segment twice (memo hits), all carry 'ü'.
  const long = 'ü' + 'x'.repeat(1500)
  const paths = Array.from({ length: 300 }, (_, i) => `/nothing/${i}/${long}/${i % 2 ? long : 'short'}`)
  let next = 0
  const statuses: number[] = []
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < paths.length) {
        const path = paths[next++]!
        const res = await request(`https://127.0.0.1:${gw.httpsPort}${encodeURI(path)}`, { dispatcher: agent })
        await res.body.dump()
        statuses.push(res.statusCode)
      }
    }),
  )
  t.ok(statuses.length === paths.length && statuses.every((s) => s === 404), 'every request answered')
  // A regular file is written synchronously (log.ts): once the gateway has stopped, every line is there.
  await gw.close()
  destination.end?.()

  const text = readFileSync(logFile, 'utf8')
  t.ok(text.endsWith('\n'), 'the file ends with a whole line')
  const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)
  const requests = lines.filter((l) => l.msg === 'request')
  t.equal(requests.length, paths.length, 'one line per request, each parsed whole')
  t.same(new Set(requests.map((l) => l.path)), new Set(paths), 'every path exact, non-ASCII and long ones included')
  for (const l of requests) {
    if (l.status !== 404 || l.method !== 'GET' || l.error !== 'GW_ERR_NOT_FOUND' || l.site !== 'filelog' || l.level !== 'info') t.fail(`bad fields in ${JSON.stringify(l).slice(0, 200)}`)
  }
  // Numbers as JavaScript prints them; the duration to the hundredth at most.
  const bad = text.split('\n').filter((l) => l.includes('"msg":"request"')).filter((l) => {
    const m = /"time":(\d+),.*"status":(\d+),"ms":([\d.]+),/.exec(l)
    return !m || m.slice(1).some((n) => String(Number(n)) !== n) || !/^\d+(\.\d\d?)?$/.test(m[3]!)
  })
  t.same(bad, [], 'time, status and ms well formed')
  const listening = lines.findIndex((l) => l.msg === 'fedgate listening')
  const stopped = lines.findIndex((l) => l.msg === 'stopped')
  t.ok(listening >= 0 && stopped > listening, "pino's own lines are there")
  t.ok(lines.every((l, i) => l.msg !== 'request' || (i > listening && i < stopped)), 'request lines come between them, in order of writing')
})
