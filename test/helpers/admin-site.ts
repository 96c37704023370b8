// A child site with something on every admin page: a synchronized repository, a tunnel route with
// refused (and throttled) callers, keys, the forward cache's figures and the sync leader on the overview. For the page-wide tests (accessibility, requests' origins).
import { writeSecret, tempDir, type TestLike, type TestSite } from './sites.ts'
import { startRoot, startChild, publish, issueKey, blobBytes, inSync, type RootSite } from './sync.ts'
import { startEchoUpstream, connect } from './ws-peers.ts'

export async function startAdminSite(t: TestLike): Promise<{ root: RootSite; child: TestSite; admin: string }> {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(20_000, 3))
  const upstream = await startEchoUpstream(t)
  writeSecret(dir, 'federation-tokens.txt', 'good-token-dddd')
  const extra = `repositories: [acme/app]
forward: { cache: { enabled: true } }
tunnels:
  - path: /federation
    upstream: ${upstream.url}
    tokens: file:./federation-tokens.txt
    failures: { limit: 2, window: 10m }
`
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, extra)
  await inSync(child, 'acme/app')
  // Three bad tokens from 127.0.0.1: refused, then throttled.
  for (let i = 0; i < 3; i++) await connect(child, { headers: { authorization: 'Bearer wrong-token-xxxx' } })
  const admin = await issueKey(child, 'admin')
  await issueKey(child, 'read', 'osaka')
  return { root, child, admin }
}
