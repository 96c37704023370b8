// A proxied packument request that cannot get its turn within npm.proxy.wait (every fetch slot taken by
// packuments the root is slow to send) is answered 503 with Retry-After, in npm's error shape, instead
// of waiting without end. Time is the site's fake clock.
import t from 'tap'
import { request } from 'undici'
import { childYaml, startSite, tempDir, writeSecret } from './helpers/sites.ts'
import { startNpmOrigin } from './helpers/npm-origin.ts'

t.test('a request over npm.proxy\'s bound waits npm.proxy.wait, then gets 503 with Retry-After', async (t) => {
  const dir = tempDir(t)
  const root = await startNpmOrigin(t, { size: 1024, hold: (name) => name.startsWith('hang-') })
  writeSecret(dir, 'root.key', 'site-key-0123456789abcdef')
  const child = await startSite(t, childYaml('branch', root.url, 'npm:\n  packages: []\n  proxy: { concurrency: 1, wait: 10s }\n'), { dir, name: 'branch', clock: t.clock })
  const proxied = () => (child.gw.health().npm as { proxied: { fetching: number; waiting: number; refused: number } }).proxied
  const ask = async (name: string) => {
    const res = await request(`${child.url}/${name}`, { headers: { accept: 'application/json' }, dispatcher: child.agent })
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() }
  }
  const until = async (what: () => boolean) => {
    for (let i = 0; i < 600 && !what(); i++) await new Promise((r) => setTimeout(r, 50))
  }

  const first = ask('hang-0').catch(() => undefined)
  await until(() => proxied().fetching === 1)
  const second = ask('hang-1')
  await until(() => proxied().waiting === 1)
  t.equal(proxied().waiting, 1, 'a second package waits for the one fetch slot')
  t.clock.advance(9_999)
  t.equal(proxied().waiting, 1, 'for npm.proxy.wait')
  t.clock.advance(1)
  let backstop: ReturnType<typeof setTimeout> | undefined
  const refused = await Promise.race([second, new Promise<undefined>((r) => (backstop = setTimeout(() => r(undefined), 20_000)))])
  clearTimeout(backstop)
  t.equal(refused?.status, 503, 'then is refused with 503')
  t.ok(Number(refused?.headers['retry-after']) >= 1, 'and Retry-After')
  const body = JSON.parse(refused?.body ?? '{}') as { error: unknown; code: string }
  t.equal(body.code, 'GW_ERR_BUSY')
  t.type(body.error, 'string', "in npm's error shape, a message npm prints")
  t.equal(proxied().refused, 1)
  t.equal(root.seen.filter((s) => s.url === '/hang-1').length, 0, 'the root never saw it')

  await root.close()
  await first
})
