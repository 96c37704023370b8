import t from 'tap'
import { Clasp } from '@clasp-to/core'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { tunnelYaml, tunnelUrl, connect, closed } from './helpers/ws-peers.ts'
import { startClaspHub, installClaspWebSocket } from './helpers/clasp-hub.ts'

t.test('no caller or upstream token appears in any log line or response, accepted or refused', async (t) => {
  const hub = await startClaspHub(t)
  const dir = tempDir(t)
  const good = 'caller-secret-token-pppp'
  const wrong = 'wrong-secret-token-qqqq'
  writeSecret(dir, 'federation-tokens.txt', good)
  writeSecret(dir, 'federation-secret.txt', 'upstream-secret-rrrr')
  const site = await startSite(t, tunnelYaml('prague', hub.url, 'upstreamToken: file:./federation-secret.txt'), { dir })
  site.gw.log.level = 'debug'
  installClaspWebSocket(site.ca)

  const responses: string[] = []
  const ok = new Clasp(tunnelUrl(site), { name: 'ok', token: good, reconnect: false })
  await ok.connect(5000)
  ok.close()
  const bad = new Clasp(tunnelUrl(site), { name: 'bad', token: wrong, reconnect: false })
  const badReason = new Promise<string>((r) => bad.onDisconnect((reason) => r(String(reason))))
  await t.rejects(bad.connect(5000))
  responses.push(await badReason)
  const attempts = [
    { headers: { authorization: `Bearer ${wrong}` } },
    { protocols: [`bearer.${wrong}`, 'clasp'] },
    { headers: { authorization: `Bearer ${good}` }, protocols: ['clasp'] },
    { protocols: [`bearer.${good}`, 'clasp'] },
  ]
  for (const o of attempts) {
    const out = await connect(site, o)
    responses.push(JSON.stringify(out.headers), out.opened ? out.protocol : out.body)
    if (out.opened) {
      out.ws.close()
      await closed(out.ws)
    }
  }
  t.equal(responses.filter((r) => r === 'clasp').length, 2, 'the accepted callers were answered with clasp')
  await site.gw.close()
  t.ok(site.logs.text.includes('tunnel refused') && site.logs.text.includes('tunnel closed'), 'refusals and closes were logged')
  const text = site.logs.text + responses.join('\n')
  for (const secret of [good, wrong, 'upstream-secret-rrrr']) t.notOk(text.includes(secret), `${secret.split('-')[0]} token in no log line or response`)
})
