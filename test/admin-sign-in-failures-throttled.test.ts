// An address that keeps failing the sign-in form gets 429 with Retry-After (GW_ERR_TOO_MANY_REQUESTS),
// even with the right key, until admin.signInFailures.window ends (site clock); no key reaches an
// answer or the logs.
import t from 'tap'
import { fetchText, startSite, tempDir } from './helpers/sites.ts'
import { rootYaml } from './helpers/hub.ts'
import { isSession, signInHttp } from './helpers/admin-http.ts'
import type { KeyRing } from '../plugins/hub/keys.ts'

t.test('refused sign-ins past the limit get 429 until the window ends', async (t) => {
  const site = await startSite(t, rootYaml('root', 'admin: { signInFailures: { limit: 3, window: 10m } }\n'), { dir: tempDir(t), clock: t.clock })
  const key = (await site.gw.service<KeyRing>('keys')!.create({ name: 'ops', scope: 'admin' })).key
  const wrong = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA')
  const bodies: string[] = []
  const statuses: number[] = []
  for (let i = 0; i < 5; i++) {
    const s = await signInHttp(site, wrong)
    if (isSession(s)) throw new Error('a wrong key signed in')
    statuses.push(s.status)
    bodies.push(s.body)
  }
  t.same(statuses, [401, 401, 401, 429, 429], 'refused, then slowed down')

  const throttled = await fetchText(site, '/admin/sign-in', {
    method: 'POST',
    body: new URLSearchParams({ key }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: site.url },
  })
  t.equal(throttled.status, 429, 'the right key waits too')
  t.equal(throttled.headers['retry-after'], '600', 'Retry-After: what is left of the window')
  t.match(JSON.parse(throttled.body), { error: { code: 'GW_ERR_TOO_MANY_REQUESTS' } }, 'the catalogue error')
  t.equal(throttled.headers['set-cookie'], undefined, 'no session')

  t.clock.advance(10 * 60_000)
  t.ok(isSession(await signInHttp(site, key)), 'the right key signs in once the window is over')
  for (const text of [...bodies, throttled.body, site.logs.text]) t.notOk(text.includes(key) || text.includes(wrong), 'no key in an answer or the logs')
})
