// With rounds an hour apart, a publish at the root is served at a child and at the child's own child
// (root → region → branch) only because each upstream announced its commit on the change stream.
import t from 'tap'
import { tempDir, fetchText } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, issueKey, blobBytes, waitFor } from './helpers/sync.ts'

t.test('a publish reaches a child and a grandchild through the stream, not the interval', async (t) => {
  const dir = tempDir(t)
  const hourly = 'sync: { interval: 1h }\n'
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(1000, 1))
  const region = await startChild(t, dir, 'region', root.url, root.readKey, `repositories: [acme/*]\n${hourly}`)
  await inSync(region, 'acme/app')
  const branch = await startChild(t, dir, 'branch', region.url, await issueKey(region, 'read', 'branch'), `repositories: [acme/app, acme/new]\n${hourly}`)
  await inSync(branch, 'acme/app')
  await waitFor('both streams live', () => streamState(region) === 'live' && streamState(branch) === 'live')

  const id = await publish(root, 'acme/app:2.0', blobBytes(2000, 2))
  // A repository that did not exist when the rounds ran: a pattern at the region, a name at the branch.
  const fresh = await publish(root, 'acme/new:1.0', blobBytes(3000, 3))
  for (const [site, name] of [[region, 'region'], [branch, 'branch']] as const) {
    const tags = await waitFor(`acme/app:2.0 at the ${name}`, async () => {
      const r = await fetchText(site, '/api/v1/repos/acme/app')
      return r.status === 200 && (JSON.parse(r.body) as { tags: Record<string, string> }).tags['2.0'] === id
    })
    t.ok(tags, `the ${name} serves the new tag from its own store`)
    await waitFor(`acme/new at the ${name}`, async () => {
      const r = await fetchText(site, '/api/v1/repos/acme/new')
      return r.status === 200 && (JSON.parse(r.body) as { tags: Record<string, string> }).tags['1.0'] === fresh
    })
    t.pass(`the ${name} serves a repository created after its rounds ran`)
  }
  const served = region.logs.lines().filter((l) => l.msg === 'request' && l.route === 'forward' && String(l.path).startsWith('/api/v1/repos/acme/app'))
  t.same(served, [], 'the branch was answered by the region itself, not through it')
})

function streamState(site: { gw: { health(): Record<string, unknown> } }): string {
  return ((site.gw.health().sync as { stream: { state: string } }).stream).state
}
