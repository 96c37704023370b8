// A proxied packument's tarball URLs were built from the `name` inside the root's document, not from the
// package asked for: a document without one gave `https://site/undefined/-/…`, one naming another
// package (or `x/../../y`) URLs the site serves nothing at, and one version's tarball URL with a broken
// escape (`%E0%A4%A`) made the whole packument a 500 GW_ERR_INTERNAL. Now every tarball URL is the
// site's `/<package asked for>/-/<file>`, where the site forwards that package's tarballs, and a broken
// escape spoils only its own version's file name.
import t from 'tap'
import { childYaml, fetchText, startOrigin, startSite, tempDir, writeSecret } from './helpers/sites.ts'

const version = (v: string, tarball: string) => ({ name: 'x', version: v, dist: { tarball } })
const DOCS: Record<string, unknown> = {
  'no-name': { 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': version('1.0.0', 'http://root.example/no-name/-/no-name-1.0.0.tgz') } },
  'other-name': { name: 'x/../../elsewhere', 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': version('1.0.0', 'http://root.example/other-name/-/other-name-1.0.0.tgz') } },
  '@acme/named-wrong': { name: 'named-wrong', versions: { '1.0.0': version('1.0.0', 'http://root.example/@acme/named-wrong/-/named-wrong-1.0.0.tgz') } },
  'bad-escape': {
    name: 'bad-escape',
    versions: { '1.0.0': version('1.0.0', 'http://root.example/bad-escape/-/bad-escape-1.0.0.tgz'), '1.0.1': version('1.0.1', 'http://root.example/bad-escape/-/bad-escape-%E0%A4%A.tgz') },
  },
}

t.test('proxied tarball URLs name the package asked for, whatever the document says', async (t) => {
  const dir = tempDir(t)
  const root = await startOrigin(t, (req, res) => {
    const name = decodeURIComponent(req.url!.slice(1).split('?')[0]!)
    if (!(name in DOCS)) {
      res.writeHead(404, { 'content-type': 'application/json' })
      return void res.end('{"error":"not found"}')
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(DOCS[name]))
  })
  writeSecret(dir, 'root.key', 'site-key-0123456789abcdef')
  const child = await startSite(t, childYaml('branch', root.url, 'npm:\n  packages: []\n'), { dir, name: 'branch' })

  const expected: Record<string, string[]> = {
    'no-name': [`${child.url}/no-name/-/no-name-1.0.0.tgz`],
    'other-name': [`${child.url}/other-name/-/other-name-1.0.0.tgz`],
    '@acme/named-wrong': [`${child.url}/@acme/named-wrong/-/named-wrong-1.0.0.tgz`],
    'bad-escape': [`${child.url}/bad-escape/-/bad-escape-1.0.0.tgz`, `${child.url}/bad-escape/-/bad-escape-%25E0%25A4%25A.tgz`],
  }
  for (const [name, urls] of Object.entries(expected)) {
    for (const accept of ['application/json', 'application/vnd.npm.install-v1+json']) {
      const r = await fetchText(child, `/${name.replace('/', '%2f')}`, { headers: { accept } })
      t.equal(r.status, 200, `${name} (${accept}) is served`)
      if (r.status !== 200) continue
      const doc = JSON.parse(r.body) as { versions: Record<string, { dist: { tarball: string } }> }
      t.same(Object.values(doc.versions).map((v) => v.dist.tarball), urls, `${name}: every tarball URL is the site's, under ${name}`)
    }
  }
})
