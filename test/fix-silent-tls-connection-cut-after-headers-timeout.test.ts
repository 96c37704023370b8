// A connection that opens TCP to the HTTPS listener and never sends its TLS hello held its place under
// limits.maxConnections for Node's default handshake timeout (120 s): a few silent sockets a second kept
// a listener full. The handshake now has limits.headersTimeout, like the head after it: with two places,
// two silent sockets are cut, and a real client then gets its answer.
import t from 'tap'
import net from 'node:net'
import { request } from 'undici'
import { startChildWithOrigin } from './helpers/child-site.ts'

/** Far below Node's own 120 s: a socket still open then was never cut by the gateway. */
const BOUND_MS = 30_000

t.test('sockets that never start TLS are closed after limits.headersTimeout, freeing their places', async (t) => {
  const { site } = await startChildWithOrigin(t, 'silent', { extra: 'limits: { headersTimeout: 1s, requestTimeout: 2s, maxConnections: 2 }\n' })
  const silent = await Promise.all(
    [0, 1].map(
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(site.gw.httpsPort, '127.0.0.1', () => resolve(s))
          s.on('error', reject)
        }),
    ),
  )
  const closedByGateway = await Promise.all(
    silent.map(
      (s) =>
        new Promise<boolean>((resolve) => {
          const bound = setTimeout(() => (s.destroy(), resolve(false)), BOUND_MS)
          s.on('error', () => {})
          s.once('close', () => (clearTimeout(bound), resolve(true)))
          s.resume()
        }),
    ),
  )
  t.same(closedByGateway, [true, true], 'both silent sockets closed by the gateway')
  const res = await request(site.url + '/after', { dispatcher: site.agent })
  await res.body.dump()
  t.equal(res.statusCode, 200, 'a real client is answered')
})
