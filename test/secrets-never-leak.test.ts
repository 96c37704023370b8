import t from 'tap'
import { inspect } from 'node:util'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'
import { connectTls, sendRaw } from './helpers/raw-http.ts'
import { parseConfig, ConfigError } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'

const KEY = 'fgk_neverleak_' + 'n'.repeat(32)

t.test('the site key appears in no response and no log line, on every error path', async (t) => {
  let mode: 'ok' | 'silent' = 'ok'
  const origin = await startOrigin(t, (req, res) => {
    if (mode === 'silent') return // never answers: a headers timeout
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end('ok')
  })
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', KEY)
  const site = await startSite(t, childYaml('leak', origin.url, '  health: { failures: 2 }\nforward: { timeouts: { headers: 300ms } }\n'), { dir, clock: t.clock })
  const answers: string[] = []
  const record = (r: { status: number; headers: unknown; body: string }) => {
    answers.push(JSON.stringify(r.headers) + r.body)
    return r.status
  }

  t.equal(record(await fetchText(site, '/ok?token=query-secret')), 200, 'forwarded')
  t.equal(record(await fetchText(site, '/write', { method: 'PUT', body: 'x' })), 405, 'write refused')
  mode = 'silent'
  t.equal(record(await fetchText(site, '/silent')), 504, 'root timeout')
  await origin.close()
  t.equal(record(await fetchText(site, '/refused')), 503, 'root refused')
  t.equal(record(await fetchText(site, '/down')), 503, 'root down (circuit open)')
  const socket = await connectTls(t, site.gw.httpsPort, site.ca)
  const bad = await sendRaw(socket, 'GET /%2e%2e/x HTTP/1.1\r\nHost: localhost\r\n\r\n')
  t.equal(bad !== 'closed' && bad.status, 400, 'bad path')
  if (bad !== 'closed') answers.push(JSON.stringify(bad.headers) + bad.body)
  t.equal(record(await fetchText(site, '/health')), 200, 'health')

  for (const a of answers) t.notOk(a.includes(KEY), `no key in: ${a.slice(0, 80)}…`)
  t.equal((await site.logs.waitFor((l) => l.msg === 'request', 7)).length, 7, 'every request line was written')
  t.notOk(site.logs.text.includes(KEY), 'no key in any log line')
  t.notOk(site.logs.text.includes('query-secret'), 'no query string in any log line')

  // Even a log call that carries the key by mistake is scrubbed.
  site.gw.log.error({ oops: `Bearer ${KEY}` }, `leaked ${KEY}`)
  t.notOk(site.logs.text.includes(KEY), 'an accidental log of the key is scrubbed')
  t.match(site.logs.text, /leaked \[redacted\]/)

  const config = site.gw.config
  t.notOk(inspect(config, { depth: 10 }).includes(KEY), 'util.inspect(config) hides the key')
  t.match(inspect(config.root!.key), '[redacted]')
  t.notOk(JSON.stringify(config).includes(KEY), 'JSON.stringify(config) hides the key')
  t.match(JSON.stringify(config.root), '"key":"[redacted]"')
  t.equal(String(config.root!.key), '[redacted]')
  t.equal(`${config.root!.key}`, '[redacted]')
})

t.test('config errors never echo a secret', async (t) => {
  const dir = tempDir(t)
  const literal = 'sk_live_' + 'p'.repeat(30)
  const attempts = [
    `site: { name: a, role: child }\nroot:\n  url: https://root.example\n  key: ${literal}\n`,
    `site: { name: a, role: child }\nroot:\n  url: https://user:${literal}@root.example\n`,
    `site: { name: a, role: child }\nroot:\n  url: https://root.example\n  key: { value: ${literal} }\n`,
    `site: { name: a, role: child }\nroot:\n  url: https://root.example\n  key: [${literal}]\n`,
  ]
  const numeric = '98765432109876543210'
  try {
    parseConfig(`site: { name: a, role: child }\nroot:\n  url: https://root.example\n  key: ${numeric}\n`, `${dir}/bad.yaml`, builtinPlugins, {})
    t.fail('a numeric literal key was accepted')
  } catch (e) {
    t.notOk((e as Error).message.includes(numeric.slice(0, 8)), 'a numeric literal key is not echoed')
  }
  for (const yaml of attempts) {
    const err = (() => {
      try {
        parseConfig(yaml, `${dir}/bad.yaml`, builtinPlugins, {})
      } catch (e) {
        return e as Error
      }
    })()
    t.ok(err instanceof ConfigError, 'refused with a ConfigError')
    t.notOk(err?.message.includes(literal), `the literal is not echoed: ${err?.message}`)
  }
})
