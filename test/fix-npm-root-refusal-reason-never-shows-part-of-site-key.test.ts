// A root refusing the site's key (401/403) has its reason passed on to the client (GW_ERR_ROOT_REFUSED),
// clipped to 200 characters, with the site's key masked. The clip came first: a root echoing the key
// near the 200th character had the key cut there, and the masking, which looks for the whole key, let
// its first part through to the client and the logs. The reason is now masked before it is clipped.
import t from 'tap'
import { childYaml, fetchText, startOrigin, startSite, tempDir, writeSecret } from './helpers/sites.ts'

const NPM_AGENT = 'npm/10.8.2 node/v20.20.2 linux x64 workspaces/false'

t.test("a root's reason cut inside the echoed site key shows none of the key", async (t) => {
  const dir = tempDir(t)
  const key = 'site-key-0123456789abcdef-secret'
  // The key begins 20 characters before the clip: its first 20 would survive it.
  const root = await startOrigin(t, (req, res) => {
    const said = `${'x'.repeat(173)} token ${String(req.headers.authorization)} refused`
    res.writeHead(401, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: said }))
  })
  writeSecret(dir, 'root.key', key)
  const child = await startSite(t, childYaml('branch', root.url, 'npm:\n  packages: []\n'), { dir, name: 'branch' })
  for (const path of ['/left-pad', '/left-pad/1.0.0']) {
    const r = await fetchText(child, path, { headers: { accept: 'application/json', 'user-agent': NPM_AGENT } })
    t.equal(r.status, 403, `${path}: refused`)
    t.match(JSON.parse(r.body).error, /the root answered 401 \(x+ token Bearer /, "with the root's reason")
    t.notOk(r.body.includes(key.slice(0, 12)), `${path}: no part of the site key in the body`)
  }
  t.notOk(child.logs.text.includes(key.slice(0, 12)), 'nor in the logs')
})
