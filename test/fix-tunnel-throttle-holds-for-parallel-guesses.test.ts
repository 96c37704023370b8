// A tunnel's throttle allows `failures.limit` refused tokens per address and window. A CLASP caller is
// checked against it at the upgrade and sends its token later, in HELLO: the failure was counted only
// once that token was judged, so callers that all connected before any sent its HELLO had every token
// judged (up to helloBudget.perAddress at once, again and again). A token is now judged only if the
// throttle lets it through at that moment, counted in the same step; the others are closed unjudged.
// Tokens on the upgrade itself (Authorization, subprotocol entry) are judged in the upgrade's own step.
import t from 'tap'
import WebSocket from 'ws'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { tunnelYaml, tunnelUrl, closed, connect } from './helpers/ws-peers.ts'
import { startClaspHub } from './helpers/clasp-hub.ts'

/** A CLASP HELLO frame (binary encoding) carrying `token`. */
function hello(token: string): Buffer {
  const name = Buffer.from('guesser')
  const tok = Buffer.from(token)
  const payload = Buffer.concat([Buffer.from([0x01, 0x01, 0x80]), u16(name.length), name, u16(tok.length), tok])
  return Buffer.concat([Buffer.from([0x53, 0x01]), u16(payload.length), payload])
}
const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff])

t.test('wrong tokens sent side by side get no more than `limit` judgements per address', async (t) => {
  const limit = 3
  const guesses = 8 // helloBudget.perAddress's default: all wait for their HELLO at once
  const hub = await startClaspHub(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'good-token-pppp')
  const site = await startSite(t, tunnelYaml('lima', hub.url, `failures: { limit: ${limit}, window: 10m }`), { dir, clock: t.clock })

  // CLASP: every socket accepted (nothing counted yet), then every HELLO sent.
  const sockets = await Promise.all(
    Array.from({ length: guesses }, () => {
      const ws = new WebSocket(tunnelUrl(site), ['clasp'], { ca: site.ca, localAddress: '127.0.0.2' })
      ws.on('error', () => {})
      return new Promise<WebSocket>((resolve, reject) => {
        ws.once('open', () => resolve(ws))
        ws.once('unexpected-response', (_req, res) => reject(new Error(`refused at the upgrade with ${res.statusCode}`)))
      })
    }),
  )
  const ends = await Promise.all(
    sockets.map((ws, i) => {
      const end = closed(ws)
      ws.send(hello(`wrong-token-${i}`))
      return end
    }),
  )
  const judged = ends.filter((e) => e.reason === 'token refused').length
  t.ok(judged <= limit, `at most ${limit} HELLO tokens judged (${judged}: ${ends.map((e) => `${e.code} ${e.reason}`).join(', ')})`)
  t.equal(ends.filter((e) => e.code === 1008 && /too many/.test(e.reason)).length, guesses - judged, 'the others closed unjudged, told to slow down')

  // Tokens on the upgrade, from another address: all sent before any answer is read.
  const outcomes = await Promise.all(Array.from({ length: guesses }, (_, i) => connect(site, { headers: { authorization: `Bearer wrong-token-${i}` }, localAddress: '127.0.0.3' })))
  const statuses = outcomes.map((o) => (o.opened ? 101 : o.status))
  t.ok(statuses.filter((s) => s === 401).length <= limit, `at most ${limit} upgrade tokens judged (${statuses.join(' ')})`)
  t.equal(statuses.filter((s) => s === 429).length, guesses - statuses.filter((s) => s === 401).length, 'the others get 429')
  t.equal(hub.tcpConnections, 0, 'no guess reached the hub')
})
