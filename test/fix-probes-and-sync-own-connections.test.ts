// Clients flood the child with packuments of packages that are not synchronized, and the root never
// answers them: every connection npm may use for them is busy (npm.proxy.concurrency is above the 16
// connections sync uses). Meanwhile a probe of the root still gets through (the root stays up) and a
// synchronized package's sync completes, both while the flood is still waiting.
import t from 'tap'
import { request } from 'undici'
import type { KeyRing } from '../plugins/hub/keys.ts'
import { childYaml, startSite, tempDir, writeSecret } from './helpers/sites.ts'
import { startNpmOrigin } from './helpers/npm-origin.ts'

const FLOOD = 40
const BUSY = 32

t.test('probes and sync have connections of their own', async (t) => {
  const dir = tempDir(t)
  const tarball = Buffer.from('a tarball of synced-pkg, 1.0.0')
  const root = await startNpmOrigin(t, { size: 1024, tarballs: { 'synced-pkg': tarball }, hold: (name) => name.startsWith('hang-') })
  writeSecret(dir, 'root.key', 'site-key-0123456789abcdef')
  const yaml = childYaml(
    'branch',
    root.url,
    `npm:\n  packages: [synced-pkg]\n  interval: 1h\n  requestTimeout: 60s\n  proxy: { concurrency: ${BUSY}, wait: 5m }\n`,
  ).replace('  ca: certs/ca.crt\n', '  ca: certs/ca.crt\n  health: { interval: 1h }\n')
  const child = await startSite(t, yaml, { dir, name: 'branch' })
  const admin = (await child.gw.service<KeyRing>('keys')!.create({ name: 'ops', scope: 'admin' })).key
  const proxied = () => (child.gw.health().npm as { proxied: { fetching: number } }).proxied

  let settled = 0
  const flood = Array.from({ length: FLOOD }, async (_, i) => {
    try {
      const res = await request(`${child.url}/hang-${i}`, { headers: { accept: 'application/json' }, dispatcher: child.agent })
      await res.body.dump()
    } catch {
      // cut when the root closes at the end
    } finally {
      settled++
    }
  })
  const hanging = () => root.seen.filter((s) => s.url.startsWith('/hang-')).length
  for (let i = 0; i < 600 && (proxied().fetching < BUSY || hanging() < 16); i++) await new Promise((r) => setTimeout(r, 50))
  t.equal(proxied().fetching, BUSY, `${BUSY} fetches wait on the root, the rest of the flood waits its turn`)

  t.ok(await child.gw.rootHealth!.probe(), 'a probe of the root gets through')
  t.equal(child.gw.rootHealth!.state, 'up', 'the root is up')

  const sync = await request(`${child.url}/api/v1/admin/npm/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'synced-pkg', wait: true }),
    dispatcher: child.agent,
  })
  const status = (await sync.body.json()) as { packages: { name: string; state: string; error?: string }[] }
  t.equal(status.packages.find((p) => p.name === 'synced-pkg')?.state, 'in-sync', 'a sync completes')
  const served = await request(`${child.url}/synced-pkg/-/synced-pkg-1.0.0.tgz`, { dispatcher: child.agent })
  t.same(Buffer.from(await served.body.arrayBuffer()), tarball, 'and its tarball is served from the store')
  t.equal(settled, 0, 'all while the flood was still waiting')

  await root.close()
  await Promise.all(flood)
})
