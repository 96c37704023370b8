// The admin session cookie is __Host- prefixed, so its path is / and a signed-in browser sends it with
// every request to the site, the ones forwarded to the root included. The root must never get it (it
// would hold a session of this site's admin page): it is taken out of every forwarded Cookie header,
// writes and reads with forward.passCookies alike; the client's other cookies pass as before.
import t from 'tap'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'

t.test('forwarded requests carry the client\'s cookies but never the admin session', async (t) => {
  const origin = await startOrigin(t)
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_test_' + 'c'.repeat(32))
  const site = await startSite(t, childYaml('lisbon', origin.url, 'forward: { allowWrites: true, passCookies: true }\n'), { dir })
  const session = `__Host-fedgate_admin=${'s'.repeat(43)}`
  const cookieAtRoot = async (method: string, cookie: string) => {
    const mine = () => origin.seen.filter((s) => s.url === '/forwarded/thing')
    const before = mine().length
    const res = await fetchText(site, '/forwarded/thing', { method, headers: { cookie }, body: method === 'POST' ? 'x' : undefined })
    t.equal(res.status, 200, `${method} forwarded`)
    t.equal(mine().length, before + 1, 'the root saw it')
    return mine().at(-1)!.headers.cookie
  }
  t.equal(await cookieAtRoot('GET', `${session}; theme=dark`), 'theme=dark', 'a read: the other cookies only')
  t.equal(await cookieAtRoot('POST', `theme=dark; ${session}; lang=pt`), 'theme=dark; lang=pt', 'a write: the other cookies only')
  t.equal(await cookieAtRoot('POST', session), undefined, 'the session alone: no Cookie header at all')
  t.notOk(JSON.stringify(origin.seen).includes('s'.repeat(43)), 'the session id never reached the root')
})
