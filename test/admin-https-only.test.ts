// The admin page is not served over plain HTTP (its Secure cookie would never come back, and the key
// would travel in clear): a listener that serves HTTP refuses it, sign-in included, with nothing set.
import t from 'tap'
import { request } from 'undici'
import { tempDir } from './helpers/sites.ts'
import { startRoot } from './helpers/hub.ts'

t.test('the admin page answers over HTTPS only', async (t) => {
  const root = await startRoot(t, { dir: tempDir(t), http: '{ host: 127.0.0.1, port: 0, redirectToHttps: false }' })
  const base = `http://127.0.0.1:${root.gw.httpPort}`
  for (const [method, path, body] of [
    ['GET', '/admin', undefined],
    ['GET', '/admin/assets/admin.js', undefined],
    ['POST', '/admin/sign-in', `key=${encodeURIComponent(root.admin)}`],
  ] as const) {
    const res = await request(base + path, { method, body, headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {} })
    const text = await res.body.text()
    t.equal(res.statusCode, 403, `${method} ${path} over HTTP: 403`)
    t.match(JSON.parse(text), { error: { code: 'GW_ERR_FORBIDDEN', message: /HTTPS only/ } })
    t.notOk(res.headers['set-cookie'], 'no cookie')
  }
  t.notOk(root.logs.text.includes(root.admin), 'the key is not logged')
})
