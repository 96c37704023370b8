// `npm --prefer-online` (and any client sending `Cache-Control: no-cache`) asks for a packument the root
// has confirmed. For a package not synchronized here, npm's route took the packument from the forward
// cache without passing the client's Cache-Control on: a fresh stored copy was answered, the root never
// asked. The client's directive now reaches the cache, which revalidates with the root first.
import t from 'tap'
import { request } from 'undici'
import { startChildWithOrigin } from './helpers/child-site.ts'

t.test('a no-cache packument read of an unsynchronized package reaches the root', async (t) => {
  let version = '1.0.0'
  const asked: (string | undefined)[] = [] // each packument request's If-None-Match
  let originUrl = ''
  const { site, origin } = await startChildWithOrigin(t, 'npm-no-cache', {
    clock: t.clock,
    extra: 'forward: { cache: { enabled: true } }\nnpm:\n  packages: []\n',
    handler: (req, res) => {
      if (req.url !== '/pkg-x') return res.end('ok')
      asked.push(req.headers['if-none-match'])
      const headers = { etag: `"${version}"`, 'cache-control': 'public, max-age=300', 'content-type': 'application/json' }
      if (req.headers['if-none-match'] === `"${version}"`) {
        res.writeHead(304, headers)
        return res.end()
      }
      res.writeHead(200, headers)
      res.end(JSON.stringify({ name: 'pkg-x', 'dist-tags': { latest: version }, versions: { [version]: { name: 'pkg-x', version, dist: { tarball: `${originUrl}/pkg-x/-/pkg-x-${version}.tgz`, shasum: 'a'.repeat(40) } } } }))
    },
  })
  originUrl = origin.url
  const npm = async (headers: Record<string, string> = {}) => {
    const res = await request(`${site.url}/pkg-x`, { dispatcher: site.agent, headers: { accept: 'application/json', 'user-agent': 'npm/10.9.0 node/v20', 'npm-command': 'install', ...headers } })
    return { status: res.statusCode, latest: ((await res.body.json()) as { 'dist-tags': { latest: string } })['dist-tags'].latest }
  }
  t.same(await npm(), { status: 200, latest: '1.0.0' }, 'filled')
  t.same(await npm(), { status: 200, latest: '1.0.0' }, 'then from the cache')
  t.equal(asked.length, 1, 'the root was asked once')

  version = '1.1.0'
  t.same(await npm({ 'cache-control': 'no-cache' }), { status: 200, latest: '1.1.0' }, 'no-cache: the root\'s new packument')
  t.equal(asked.length, 2, 'the root was asked')
  t.equal(asked[1], '"1.0.0"', 'conditionally, with the stored copy\'s ETag')
})
