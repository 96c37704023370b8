// A peer's whole state (read when its log no longer reaches back) of the wrong shape failed the exchange
// with a TypeError ("snap.repos is not iterable", "Cannot convert undefined or null to object"), which
// named neither the peer's fault nor the field. It is now checked as the change pages are: the
// exchange fails with GW_ERR_PEER_BAD_RESPONSE naming the field, the link's status shows it, and
// nothing of the answer is applied (not even its well-formed repositories).
import t from 'tap'
import { createHash } from 'node:crypto'
import { linkStatus, startPullFromFakePeer } from './helpers/links.ts'
import { fetchText } from './helpers/sites.ts'
import { LINK_PREFIX } from '../plugins/federation/wire.ts'

t.test('a malformed whole state from the peer fails the exchange naming the field, nothing applied', async (t) => {
  const bytes = 'london bytes'
  const id = createHash('sha256').update(bytes).digest('hex')
  const at = new Date().toISOString()
  const image = { id, size: bytes.length, createdAt: at }
  const good = { name: 'london/a', tags: { '1.0': id }, images: { [id]: image }, versions: { '1.0': { origin: 'london', originRev: 1, at, image: id, prev: null } } }
  let snapshot: unknown = {}
  // The log no longer reaches back: the whole state is read.
  const { tokyo } = await startPullFromFakePeer(t, bytes, (url) =>
    url.startsWith(`${LINK_PREFIX}/changes?`) ? { status: 410, body: { error: { code: 'GW_ERR_GONE', message: 'gone' } } } : url === `${LINK_PREFIX}/snapshot` ? { status: 200, body: snapshot } : undefined,
  )
  const exchange = () => tokyo.engine('london').exchange().then(() => 'ok', (err: Error & { code?: string }) => `${err.code}: ${err.message}`)

  const cases: [string, unknown, RegExp][] = [
    ['a JSON array instead of an object', [good], /whole state: .*\{store, revision, repos: \[\.\.\.\]\}/],
    ['repos not an array', { store: 'S', revision: 5, repos: { 'london/a': good } }, /whole state: .*repos/],
    ['a repository without tags', { store: 'S', revision: 5, repos: [good, { name: 'london/b', images: {}, versions: {} }] }, /whole state: repos\[1\] \(london\/b\): tags/],
    ['a number for a repository name', { store: 'S', revision: 5, repos: [good, { ...good, name: 5 }] }, /whole state: repos\[1\]: name 5/],
    ['a number for an image id', { store: 'S', revision: 5, repos: [good, { ...good, name: 'london/b', tags: { '1.0': 7 } }] }, /whole state: repos\[1\] \(london\/b\): tag 1\.0 names 7/],
    ['a number for a version', { store: 'S', revision: 5, repos: [good, { ...good, name: 'london/b', versions: { '1.0': 3 } }] }, /whole state: repos\[1\] \(london\/b\): versions\["1\.0"\]/],
    ['a revision that is text', { store: 'S', revision: '5', repos: [good] }, /whole state: revision "5"/],
  ]
  for (const [what, snap, reason] of cases) {
    snapshot = snap
    const failure = await exchange()
    t.match(failure, /^GW_ERR_PEER_BAD_RESPONSE: /, `${what}: the peer's bad answer, not a TypeError`)
    t.match(failure, reason, `${what}: names the field`)
    t.notMatch(failure, /TypeError|not iterable|Cannot (read|convert)/, `${what}: no JavaScript error text`)
    const status = await linkStatus(tokyo, 'outgoing', 'london')
    t.equal(status.state, 'failing', `${what}: the link is failing`)
    t.match(status.failing?.reason, reason, `${what}: its status names the field`)
    t.equal((await fetchText(tokyo, '/api/v1/repos/london/a')).status, 404, `${what}: nothing of the answer applied`)
  }

  snapshot = { store: 'S', revision: 5, repos: [good] }
  t.equal(await exchange(), 'ok', 'a well-formed whole state is applied')
  t.equal((await fetchText(tokyo, '/api/v1/repos/london/a')).status, 200)
})
