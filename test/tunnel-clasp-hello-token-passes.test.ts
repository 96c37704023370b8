import t from 'tap'
import { Clasp } from '@clasp-to/core'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { startClaspHub, installClaspWebSocket } from './helpers/clasp-hub.ts'
import { tunnelYaml, tunnelUrl } from './helpers/ws-peers.ts'

t.test('the real @clasp-to/core client, token in HELLO, reaches a CLASP hub through the tunnel', async (t) => {
  const hub = await startClaspHub(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'leaf-token-1111')
  writeSecret(dir, 'federation-secret.txt', 'hub-secret-9999')
  const site = await startSite(t, tunnelYaml('osaka', hub.url, 'upstreamToken: file:./federation-secret.txt'), { dir })
  installClaspWebSocket(site.ca)

  const writer = new Clasp(tunnelUrl(site), { name: 'leaf a', token: 'leaf-token-1111', reconnect: false })
  const reader = new Clasp(tunnelUrl(site), { name: 'leaf b', token: 'leaf-token-1111', reconnect: false })
  t.teardown(() => {
    writer.close()
    reader.close()
  })
  await writer.connect(5000)
  await reader.connect(5000)
  t.ok(writer.connected && reader.connected, 'both clients got WELCOME through the tunnel')
  t.same(hub.helloTokens, ['hub-secret-9999', 'hub-secret-9999'], 'the hub saw the site token in HELLO, never the caller\'s')
  t.same(hub.authorizations, ['Bearer hub-secret-9999', 'Bearer hub-secret-9999'], 'and as a bearer token on the upgrade')

  const seen = new Promise<unknown>((resolve) => reader.subscribe('/site-a/**', (value) => resolve(value)))
  // Let the SUBSCRIBE reach the hub before publishing: a GET round trip on the same socket orders it.
  t.equal(await reader.get('/elsewhere/nothing'), null)
  writer.set('/site-a/greeting', 'hello from site-a')
  t.equal(await seen, 'hello from site-a', 'a SET from one leaf reaches the other leaf\'s subscription')
  const other = new Clasp(tunnelUrl(site), { name: 'leaf c', token: 'leaf-token-1111', reconnect: false })
  t.teardown(() => other.close())
  await other.connect(5000)
  t.equal(await other.get('/site-a/greeting'), 'hello from site-a', 'GET answered with the hub\'s SNAPSHOT')
})
