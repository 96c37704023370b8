// npm's account reads (`npm whoami`, `npm profile get`, `npm token list`, `npm access`/`org`/`team`
// listings, the legacy `/-/user/org.couchdb.user:…`) were forwarded like any read, with the site's key,
// so any client, with no credentials at all, got the site's own account: its user name, profile and
// tokens. They are account commands, like login and token: refused (405, naming the setting) unless
// npm writes are allowed, and then forwarded with the client's own credentials, never the site's key.
// Public registry reads under `/-/` (search, ping, dist-tags) keep the site's key.
import t from 'tap'
import { childYaml, fetchText, startOrigin, startSite, tempDir, writeSecret } from './helpers/sites.ts'

const SITE_KEY = 'site-key-0123456789abcdef'
const ACCOUNT_READS = ['/-/whoami', '/-/WHOAMI/', '/-/npm/v1/user', '/-/npm/v1/tokens', '/-/npm/v1/tokens?page=1', '/-/user/org.couchdb.user:anyone', '/-/user/site-account/package', '/-/org/acme/package', '/-/team/acme/devs/user', '/-/npm/v1/hooks', '/-/package/left-pad/collaborators', '/-/package/@acme/util/access']
const PUBLIC_READS = ['/-/v1/search?text=left', '/-/ping?write=true', '/-/package/left-pad/dist-tags']

t.test("account reads never answer with the site's account", async (t) => {
  const dir = tempDir(t)
  // A registry that answers about whoever's token it gets.
  const root = await startOrigin(t, (req, res) => {
    const auth = req.headers.authorization
    const who = auth === `Bearer ${SITE_KEY}` ? 'site-account' : auth === 'Bearer client-token' ? 'client-account' : undefined
    res.writeHead(who ? 200 : 401, { 'content-type': 'application/json' })
    res.end(JSON.stringify(who ? { username: who } : { error: 'who are you?' }))
  })
  writeSecret(dir, 'root.key', SITE_KEY)
  const asks = (path: string) => root.seen.filter((s) => s.url === path).length
  const npmClient = { 'user-agent': 'npm/10.8.2 node/v20.0.0 linux x64 workspaces/false', 'npm-command': 'whoami', accept: 'application/json' }

  await t.test('refused while npm writes are not allowed, and never sent to the root', async (t) => {
    const child = await startSite(t, childYaml('branch', root.url, 'npm:\n  packages: []\n'), { dir, name: 'branch' })
    for (const path of ACCOUNT_READS) {
      const asked: Record<string, string>[] = [npmClient, { accept: '*/*' }, { ...npmClient, authorization: 'Bearer client-token' }]
      for (const headers of asked) {
        const before = asks(path)
        const r = await fetchText(child, path, { headers })
        t.equal(r.status, 405, `${path} (${headers['user-agent'] ?? 'curl'}${'authorization' in headers ? ', with a token' : ''}) is refused`)
        t.equal(JSON.parse(r.body).code, 'GW_ERR_WRITES_DISABLED')
        t.match(JSON.parse(r.body).error, /run them against the root registry \(npm\.allowWrites is false here\)/, 'saying where to run it and which setting refused it')
        t.notMatch(r.body, /site-account/, "the site's account is not shown")
        t.equal(asks(path), before, 'the root never saw it')
      }
    }
    for (const path of PUBLIC_READS) {
      const r = await fetchText(child, path, { headers: npmClient })
      t.equal(r.status, 200, `${path} is still a read with the site's key`)
    }
    t.notOk(child.logs.text.includes(SITE_KEY), 'the key is in no log line')
  })

  await t.test("with npm writes allowed, forwarded with the client's own credentials", async (t) => {
    const child = await startSite(t, childYaml('writer', root.url, 'npm:\n  packages: []\n  allowWrites: true\nforward:\n  allowWrites: true\n'), { dir, name: 'writer' })
    for (const path of ACCOUNT_READS) {
      const before = root.seen.length
      const mine = await fetchText(child, path, { headers: { ...npmClient, authorization: 'Bearer client-token' } })
      t.equal(mine.status, 200, `${path} with the client's token`)
      t.equal(JSON.parse(mine.body).username, 'client-account', "answers about the client's account")
      // The root's health probes reach it too: only this path's requests count.
      const seen = root.seen.slice(before).filter((s) => s.url === path)
      t.equal(seen.length, 1, 'one request reached the root')
      t.equal(seen[0]?.headers.authorization, 'Bearer client-token', "carrying the client's credentials, not the site's key")
      const anonymous = await fetchText(child, path, { headers: npmClient })
      t.equal(anonymous.status, 401, `${path} without credentials is the root's 401`)
      t.notMatch(anonymous.body, /site-account/)
      t.equal(root.seen.filter((s) => s.url === path).at(-1)?.headers.authorization, undefined, "and went without the site's key")
    }
  })
})
