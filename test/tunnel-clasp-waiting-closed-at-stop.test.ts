// CLASP callers accepted but not yet joined (still to send their HELLO) are closed by the stop, not left
// to their HELLO deadline: a graceful stop ends promptly, telling a well-behaved peer 1001.
import t from 'tap'
import WebSocket from 'ws'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { tunnelYaml, tunnelUrl, closed } from './helpers/ws-peers.ts'
import { connectTls, closed as socketClosed } from './helpers/raw-http.ts'
import { startClaspHub } from './helpers/clasp-hub.ts'

t.test('the stop closes CLASP callers still waiting for their HELLO', async (t) => {
  const hub = await startClaspHub(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'good-token-tttt')
  const site = await startSite(t, tunnelYaml('hello-wait', hub.url, 'helloTimeout: 1m').replace('log: {', 'shutdown: { grace: 1m }\nlog: {'), { dir })

  // A ws peer that answers close frames, and a raw one that never reads or answers anything after the handshake.
  const peer = new WebSocket(tunnelUrl(site), ['clasp'], { ca: site.ca })
  peer.on('error', () => {})
  await new Promise((r) => peer.once('open', r))
  const peerClosed = closed(peer)
  const raw = await connectTls(t, site.gw.httpsPort, site.ca)
  let got = ''
  raw.on('data', (c: Buffer) => (got += c.toString('latin1')))
  raw.write('GET /federation HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: clasp\r\n\r\n')
  // Waits for the handshake's answer; the bound is only there so a broken gateway fails instead of hanging.
  await new Promise<void>((resolve) => {
    const done = () => {
      if (!got.includes('\r\n\r\n')) return
      clearTimeout(bound)
      raw.off('data', done)
      resolve()
    }
    const bound = setTimeout(() => (raw.off('data', done), resolve()), 30_000)
    raw.on('data', done)
    done()
  })
  t.match(got, /^HTTP\/1\.1 101 /, 'the raw peer was accepted')

  // Generous against a loaded machine, and still far below the 1m a stop waiting on either would take.
  const started = Date.now()
  let timer: NodeJS.Timeout | undefined
  const outcome = await Promise.race([site.gw.close().then(() => 'stopped'), new Promise((r) => (timer = setTimeout(() => r('still waiting'), 20_000)))])
  clearTimeout(timer)
  t.equal(outcome, 'stopped', `the stop ends in ${Date.now() - started} ms (helloTimeout and shutdown.grace 1m)`)
  if (outcome !== 'stopped') return
  t.same(await peerClosed, { code: 1001, reason: 'gateway shutting down' }, 'the ws peer is told the gateway is going away')
  await socketClosed(raw)
  t.pass('the silent peer is cut')
  t.equal(hub.tcpConnections, 0, 'the hub was never contacted')
})
