// A root answering a packument with JSON that is no packument (null, an array, a string, a number, or
// `versions` / `dist-tags` that are not objects) made the proxied read throw inside the gateway: 500
// GW_ERR_INTERNAL ("the gateway failed") and an error log line, or, for a string, a 200 of garbage
// (`{"0":"x","versions":{}}`); a sync failed with a TypeError. Now it is the root's bad answer: 502
// GW_ERR_ROOT_BAD_RESPONSE naming the package and what is wrong, in both forms, and a failed sync
// saying the same, with nothing stored.
import t from 'tap'
import { request } from 'undici'
import type { KeyRing } from '../plugins/hub/keys.ts'
import { childYaml, fetchText, startOrigin, startSite, tempDir, writeSecret } from './helpers/sites.ts'

const NOT_PACKUMENTS: Record<string, unknown> = {
  'is-null': null,
  'is-array': [{ name: 'is-array' }],
  'is-string': 'x',
  'is-number': 5,
  'versions-string': { name: 'versions-string', versions: 'abc' },
  'versions-null': { name: 'versions-null', versions: null },
  'tags-array': { name: 'tags-array', 'dist-tags': ['latest'], versions: {} },
}

t.test('a root packument that is no packument is a 502 naming the problem, proxied or synchronized', async (t) => {
  const dir = tempDir(t)
  const root = await startOrigin(t, (req, res) => {
    const name = decodeURIComponent(req.url!.slice(1).split('?')[0]!)
    if (!(name in NOT_PACKUMENTS)) {
      res.writeHead(404, { 'content-type': 'application/json' })
      return void res.end('{"error":"not found"}')
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(NOT_PACKUMENTS[name]))
  })
  writeSecret(dir, 'root.key', 'site-key-0123456789abcdef')
  const child = await startSite(t, childYaml('branch', root.url, "npm:\n  packages: ['is-null', 'versions-string']\n  interval: 1h\n"), { dir, name: 'branch' })

  for (const name of Object.keys(NOT_PACKUMENTS)) {
    for (const accept of ['application/json', 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*']) {
      const r = await fetchText(child, `/${name}`, { headers: { accept, 'user-agent': 'npm/10.8.2 node/v20.0.0 linux x64' } })
      const form = accept.startsWith('application/json') ? 'full' : 'abbreviated'
      t.equal(r.status, 502, `${name} (${form}) is the root's bad answer`)
      const body = JSON.parse(r.body) as { error: string; code: string }
      t.equal(body.code, 'GW_ERR_ROOT_BAD_RESPONSE')
      t.match(body.error, `the root's packument for ${name} is not a packument`, 'naming the package and the problem')
    }
  }
  t.notOk(child.logs.lines().some((l) => l.msg === 'npm handler failed'), 'no gateway failure is logged')

  const admin = (await child.gw.service<KeyRing>('keys')!.create({ name: 'ops', scope: 'admin' })).key
  const res = await request(`${child.url}/api/v1/admin/npm/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ wait: true }),
    dispatcher: child.agent,
  })
  const status = (await res.body.json()) as { packages: { name: string; state: string; error?: string }[] }
  for (const name of ['is-null', 'versions-string']) {
    const p = status.packages.find((s) => s.name === name)
    t.equal(p?.state, 'failing', `the sync of ${name} fails`)
    t.match(p?.error, `the root's packument for ${name} is not a packument`, 'saying why')
  }
})
