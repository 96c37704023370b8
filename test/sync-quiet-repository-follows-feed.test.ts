// A repository that does not change at the root still moves its place in the change feed with every
// sync: the next sync asks only for what came after the last one. Otherwise the root rescans its whole
// log for it each round, and once other repositories' changes have trimmed the log past the place it
// last committed at, the feed answers 410 and the child takes the quiet repository whole again.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, syncOf, blobBytes, loggedPaths } from './helpers/sync.ts'

t.test('a quiet repository follows the change feed without fetching itself whole', async (t) => {
  const dir = tempDir(t)
  // The log keeps 4 entries: a few publishes elsewhere are enough to trim past the quiet one's commit.
  const root = await startRoot(t, dir, 'root', 'store: { changeLogKeep: 4 }\n')
  await publish(root, 'acme/quiet:1.0', blobBytes(10_000, 1))
  await publish(root, 'acme/busy:1', blobBytes(10_000, 2))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, 'repositories: [acme/quiet, acme/busy]\nsync: { stream: { enabled: false } }\n')
  await inSync(child, 'acme/quiet')
  await inSync(child, 'acme/busy')
  const s = syncOf(child)
  const rootPaths = loggedPaths(root)
  let paths = await rootPaths()
  const wholeFetches = () => paths.filter((p) => p === '/api/v1/repos/acme/quiet').length
  const whole = wholeFetches()
  const feedAsks = () => paths.filter((p) => p === '/api/v1/federation/changes').length
  const asksBefore = feedAsks()
  const committed = (await s.repos.get('acme/quiet'))!

  // Each round: the busy repository gets one new tag (two log entries: its image and its tag, fewer
  // than the log keeps), then both sync. After two rounds the quiet one's commit is below the log's floor.
  for (let round = 0; round < 4; round++) {
    await publish(root, `acme/busy:${round}`, blobBytes(1_000, 100 + round))
    await s.scheduler.request('acme/busy')
    await s.scheduler.request('acme/quiet')
    t.equal(s.status.get('acme/quiet').state, 'in-sync', `round ${round}: the quiet repository is in sync`)
  }
  paths = await rootPaths()
  t.equal(wholeFetches(), whole, 'the quiet repository was never fetched whole again')
  t.equal(feedAsks() - asksBefore, 8, 'each sync asked the change feed, once')
  const now = (await s.repos.get('acme/quiet'))!
  t.equal(now.revision, committed.revision, 'and nothing was committed for it: its snapshot is the one it had')
  t.same(now.tags, committed.tags)

  // A change to it after all that still arrives through the feed.
  const id = await publish(root, 'acme/quiet:2.0', blobBytes(10_000, 3))
  await s.scheduler.request('acme/quiet')
  t.equal((await s.repos.get('acme/quiet'))?.tags['2.0'], id, 'a later change arrives')
  paths = await rootPaths()
  t.equal(wholeFetches(), whole, 'through the feed, not a whole fetch')
})
