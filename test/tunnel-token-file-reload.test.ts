import t from 'tap'
import { once } from 'node:events'
import { writeFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { startEchoUpstream, tunnelYaml, connect } from './helpers/ws-peers.ts'
import type { TunnelRoute } from '../plugins/tunnel/route.ts'

t.test('an edited token file is re-read: the new token works and the removed one is refused', async (t) => {
  const upstream = await startEchoUpstream(t)
  const dir = tempDir(t)
  const file = writeSecret(dir, 'federation-tokens.txt', 'first-token-hhhh')
  const site = await startSite(t, tunnelYaml('vienna', upstream.url), { dir })
  const tokens = site.gw.service<TunnelRoute[]>('tunnels')![0]!.tokens
  const as = (token: string) => connect(site, { headers: { authorization: `Bearer ${token}` } })

  const before = await as('first-token-hhhh')
  t.ok(before.opened, 'the first token works')
  if (before.opened) before.ws.close()

  // Edited in place.
  let reloaded = once(tokens, 'reload')
  writeFileSync(file, 'first-token-hhhh\nsecond-token-iiii\n')
  await reloaded
  t.ok((await as('second-token-iiii')).opened, 'the added token works without a restart')

  // Replaced by rename, as secret managers do.
  reloaded = once(tokens, 'reload')
  writeFileSync(join(dir, 'tokens.new'), 'second-token-iiii\n')
  renameSync(join(dir, 'tokens.new'), file)
  await reloaded
  const removed = await as('first-token-hhhh')
  t.notOk(removed.opened, 'the removed token is refused')
  if (!removed.opened) t.equal(removed.status, 401)
  t.ok((await as('second-token-iiii')).opened, 'the remaining token still works')
  t.equal(upstream.upgrades.length, 3, 'only accepted callers reached the upstream')
})
