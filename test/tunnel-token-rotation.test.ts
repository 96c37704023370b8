import t from 'tap'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { startEchoUpstream, tunnelYaml, connect } from './helpers/ws-peers.ts'

t.test('a token file with several tokens accepts each of them (old and new during a rotation)', async (t) => {
  const upstream = await startEchoUpstream(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', '# rotated 2026-11\nold-token-ffff\n\nnew-token-gggg\n')
  const site = await startSite(t, tunnelYaml('madrid', upstream.url), { dir })
  for (const token of ['old-token-ffff', 'new-token-gggg']) {
    const out = await connect(site, { headers: { authorization: `Bearer ${token}` } })
    t.ok(out.opened, `${token.split('-')[0]} token accepted`)
    if (out.opened) out.ws.close()
  }
  const comment = await connect(site, { headers: { authorization: 'Bearer #' } })
  t.notOk(comment.opened, 'a comment line is not a token')
})
