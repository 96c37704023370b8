// A hot answer (docs/lifecycle.md, step 1) is repeated only to a request the whole lifecycle would have
// routed the same way. npm's route takes a packument GET only when its Accept asks for JSON, else the
// forward route answers it from the forward cache: that fresh hit (the root's document, tarball URLs
// untouched) is offered for repeats, and must not then answer an npm client, whose packument npm rewrites
// to point its tarballs at the site.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText, type Origin } from './helpers/sites.ts'

t.test('an answer the forward route made is not repeated to a GET npm takes', async (t) => {
  let origin: Origin | undefined
  const started = await startChildWithOrigin(t, 'hot-npm', {
    clock: t.clock, // the repeat's one-second window does not run out while the test runs
    extra: 'forward: { cache: { enabled: true } }\nnpm:\n  packages: []\n',
    handler: (req, res) => {
      if (req.url !== '/pkg-x') return res.end('ok')
      const tarball = `${origin!.url}/pkg-x/-/pkg-x-1.0.0.tgz`
      const doc = { name: 'pkg-x', 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': { name: 'pkg-x', version: '1.0.0', dist: { tarball, shasum: 'a'.repeat(40) } } } }
      // A registry's answer: cacheable, varies on nothing.
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300', etag: '"1"' })
      res.end(JSON.stringify(doc))
    },
  })
  origin = started.origin
  const { site } = started
  const tarballOf = async (headers: Record<string, string>) => {
    const r = await fetchText(site, '/pkg-x', { headers })
    t.equal(r.status, 200)
    return (JSON.parse(r.body) as { versions: Record<string, { dist: { tarball: string } }> }).versions['1.0.0']!.dist.tarball
  }
  const npm = { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*', 'user-agent': 'npm/10.0.0 node/v20.0.0', 'npm-command': 'install' }
  const curl = { accept: '*/*', 'user-agent': 'curl/8.5.0' }

  t.match(await tarballOf(npm), new RegExp(`^${site.url}/`), 'npm: tarballs point at the site')
  t.match(await tarballOf(curl), new RegExp(`^${origin.url}/`), 'curl: the root document, through the forward route')
  t.match(await tarballOf(curl), new RegExp(`^${origin.url}/`), 'curl again: a fresh hit, offered for repeats')
  t.equal((site.gw.health() as { hotAnswers: { answers: number } }).hotAnswers.answers, 1, 'that answer is held for repeats')
  t.match(await tarballOf(curl), new RegExp(`^${origin.url}/`), 'curl a third time: repeated')
  t.match(await tarballOf(npm), new RegExp(`^${site.url}/`), 'npm after them: still the site\'s tarballs')
})
