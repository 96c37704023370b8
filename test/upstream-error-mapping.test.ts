import t, { type Test } from 'tap'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { startSite, childYaml, writeSecret, tempDir, fetchText, type TestLike } from './helpers/sites.ts'

const KEY = 'fgk_mapping_' + 'm'.repeat(30)

/** A TCP server whose connections get `onConnection`; every socket is destroyed at teardown. */
async function rawOrigin(t: TestLike, onConnection: (s: net.Socket) => void): Promise<{ url: string; port: number }> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
    s.on('close', () => sockets.delete(s))
    onConnection(s)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    server.close()
  })
  const port = (server.address() as AddressInfo).port
  return { url: `http://127.0.0.1:${port}`, port }
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

async function siteFor(t: Test, url: string, extra = '') {
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', KEY)
  // failures: high and a fake clock (no active probe runs), so every case reaches the root instead of
  // meeting an open circuit.
  return startSite(t, childYaml('mapping', url, `  health: { failures: 100 }\nforward: { timeouts: { headers: 300ms } }\n${extra}`), { dir, clock: t.clock })
}

function checkError(t: Test, res: { status: number; body: string; headers: Record<string, unknown> }, status: number, code: string) {
  t.equal(res.status, status)
  t.match(res.headers['content-type'], /^application\/json/)
  const body = JSON.parse(res.body)
  t.equal(body.error.code, code)
  t.type(body.error.message, 'string')
  t.notOk(res.body.includes(KEY) || JSON.stringify(res.headers).includes(KEY), 'no secret in the answer')
}

t.test('connection refused → 503 GW_ERR_ROOT_UNAVAILABLE', async (t) => {
  const site = await siteFor(t, `http://127.0.0.1:${await closedPort()}`)
  const res = await fetchText(site, '/refused')
  checkError(t, res, 503, 'GW_ERR_ROOT_UNAVAILABLE')
  t.match(res.headers['retry-after'], /^\d+$/)
})

t.test('no response head within forward.timeouts.headers → 504 GW_ERR_ROOT_TIMEOUT', async (t) => {
  const origin = await rawOrigin(t, () => {}) // reads the request, never answers
  const site = await siteFor(t, origin.url)
  checkError(t, await fetchText(site, '/silent'), 504, 'GW_ERR_ROOT_TIMEOUT')
})

t.test('a reset connection → 502 GW_ERR_ROOT_BAD_RESPONSE', async (t) => {
  const origin = await rawOrigin(t, (s) => s.once('data', () => s.resetAndDestroy()))
  const site = await siteFor(t, origin.url)
  checkError(t, await fetchText(site, '/reset'), 502, 'GW_ERR_ROOT_BAD_RESPONSE')
})

t.test('a garbage response → 502 GW_ERR_ROOT_BAD_RESPONSE', async (t) => {
  const origin = await rawOrigin(t, (s) => s.once('data', () => s.end('SSH-2.0-OpenSSH_9.6\r\nnot http at all\r\n\r\n')))
  const site = await siteFor(t, origin.url)
  checkError(t, await fetchText(site, '/garbage'), 502, 'GW_ERR_ROOT_BAD_RESPONSE')
})

t.test('a response cut before its announced length → the client connection is cut, not a silent short body', async (t) => {
  const origin = await rawOrigin(t, (s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort')))
  const site = await siteFor(t, origin.url)
  await t.rejects(fetchText(site, '/truncated'), 'the client sees a broken response')
})
