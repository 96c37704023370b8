// The root is a real `fedgate start` process, killed with SIGKILL while clients fetch synchronized
// repositories from a child that probes it often: not one of those requests fails, during the kill or
// after; the child sees the root down, and forwarded requests then get the circuit's 503 at once.
import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, Pool } from 'undici'
import { fetchText, tempDir } from './helpers/sites.ts'
import { healthOf } from './helpers/hub.ts'
import { rootYaml } from './helpers/hub.ts'
import { keysBefore, startProcess } from './helpers/process.ts'
import { blobBytes, inSync, publish, startChild, waitFor } from './helpers/sync.ts'

t.test('synchronized content is served through a SIGKILLed root; forwarding answers 503 once the circuit opens', async (t) => {
  const dir = tempDir(t)
  const rootFile = join(dir, 'root.yaml')
  writeFileSync(rootFile, rootYaml())
  const [readKey, publishKey] = await keysBefore(rootFile, [
    { name: 'children', scope: 'read' },
    { name: 'ci', scope: 'publish', namespaces: ['*'] },
  ])
  const root = await startProcess(t, rootFile)
  const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8') } })
  t.teardown(() => agent.close())
  const small = await publish({ url: root.url, agent, publishKey: publishKey! }, 'acme/app:1.0', blobBytes(1024, 1))
  const big = await publish({ url: root.url, agent, publishKey: publishKey! }, 'acme/app:2.0', blobBytes(100 * 1024, 2))

  // Probes every 200 ms, two failures open the circuit: the child notices within the load. Once open it
  // stays open (backoff 1 h), so no trial request to the dead root can answer in the circuit's place.
  const child = await startChild(t, dir, 'branch', root.url, readKey!, '  health: { interval: 200ms, timeout: 1s, failures: 2, backoff: 1h, maxBackoff: 1h }\nrepositories: [acme/app]\n')
  await inSync(child, 'acme/app')
  const forwarded = '/api/v1/repos/other/app'
  const before = await fetchText(child, forwarded)
  t.equal(before.status, 404, 'while the root runs, a forwarded request gets its answer')

  const pool = new Pool(child.url, { connections: 10, connect: { ca: child.ca } })
  t.teardown(() => pool.close())
  const paths = ['/api/v1/repos/acme/app', `/api/v1/blobs/sha256:${small}`, `/api/v1/blobs/sha256:${big}`, '/api/v1/repos/acme/app/images/1.0/content', '/api/v1/repos/acme/app/images/latest']
  // Bounded in count and time: at least TOTAL requests and until the circuit has been open for a
  // while, at most MAX requests or 60 s.
  const TOTAL = 500
  const MAX = 20_000
  const deadline = Date.now() + 60_000
  let sent = 0
  let done = 0
  let afterOpen = 0
  const failures: string[] = []
  let killed: Promise<void> | undefined
  const open = () => child.gw.rootHealth!.state !== 'up'
  const worker = async () => {
    while (sent < MAX && Date.now() < deadline && (sent < TOTAL || afterOpen < TOTAL)) {
      const path = paths[sent++ % paths.length]!
      try {
        const res = await pool.request({ path, method: 'GET' })
        await res.body.dump({ limit: Infinity })
        if (res.statusCode !== 200) failures.push(`${path}: ${res.statusCode}`)
      } catch (err) {
        failures.push(`${path}: ${(err as Error).message}`)
      }
      if (killed && open()) afterOpen++
      // The root is killed a fifth of the way through.
      if (++done === TOTAL / 5) killed = root.kill()
    }
  }
  await Promise.all(Array.from({ length: 10 }, worker))
  await killed
  t.ok(root.proc.signalCode === 'SIGKILL', 'the root process was killed')
  t.ok(afterOpen >= TOTAL, `${afterOpen} requests served after the child saw the root down (${done} in all)`)
  t.same(failures, [], 'not one request for synchronized content failed')

  await waitFor('the child sees the root down', () => child.gw.rootHealth!.state === 'down', 20_000)
  t.equal((await healthOf(child)).root.state, 'down', '/health says so')
  for (let i = 0; i < 3; i++) {
    const started = Date.now()
    const res = await fetchText(child, forwarded)
    const ms = Date.now() - started
    t.equal(res.status, 503, 'forwarded: 503')
    t.match(JSON.parse(res.body), { error: { code: 'GW_ERR_ROOT_DOWN' } }, 'answered by the open circuit, not by trying the root')
    t.ok(res.headers['retry-after'], 'with Retry-After')
    // Generous: the circuit answers without contacting anyone; a hang would be the root's timeouts (5 s connect, 30 s head).
    t.ok(ms < 3000, `answered at once (${ms} ms)`)
  }
  for (const path of paths) t.equal((await fetchText(child, path)).status, 200, `after: ${path} still served`)
})
