import t from 'tap'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'

for (const keyHeader of ['authorization', 'x-apikey'] as const) {
  t.test(`with forward.allowWrites, writes go with the client's credentials and never the site key (${keyHeader})`, async (t) => {
    const key = 'fgk_allowed_' + 'a'.repeat(30)
    const bodies: Record<string, string> = {}
    const origin = await startOrigin(t, (req, res) => {
      let b = ''
      req.setEncoding('utf8')
      req.on('data', (c) => (b += c))
      req.on('end', () => {
        bodies[req.method!] = b
        res.writeHead(201, { 'content-type': 'application/json' })
        res.end('{"ok":true}')
      })
    })
    const dir = tempDir(t)
    writeSecret(dir, 'root.key', key)
    // A root that is no npm registry: with the npm plugin on, `PUT /uploads/x` is a registry's dist-tag write, refused.
    const site = await startSite(t, childYaml('writes', origin.url, `  keyHeader: ${keyHeader}\n  health: { interval: 1h }\nforward: { allowWrites: true }\nnpm: { enabled: false }\n`), { dir })
    const payload = JSON.stringify({ name: 'x', data: 'é'.repeat(5000) })
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const body = method === 'DELETE' ? undefined : payload
      const res = await fetchText(site, '/uploads/x', {
        method,
        headers: { authorization: 'Bearer publisher-token', 'x-apikey': 'publisher-apikey', 'content-type': 'application/json' },
        body,
      })
      t.equal(res.status, 201, `${method} went through`)
      const seen = origin.seen.filter((s) => s.method === method).at(-1)!
      t.equal(seen.headers.authorization, 'Bearer publisher-token', "the client's own Authorization goes")
      t.equal(seen.headers['x-apikey'], 'publisher-apikey', "the client's own X-ApiKey goes")
      t.notOk(JSON.stringify(seen.headers).includes(key), 'the site key does not')
      t.equal(bodies[method], body ?? '', 'body intact')
    }
  })
}
