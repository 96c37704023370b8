// A version document (`GET /left-pad/1.0.0`, `/@scope%2fname/1.0.0`, `/left-pad/latest`) was forwarded
// as the root wrote it, its dist.tarball on the root, so a client following it bypassed the site (and
// failed with the root down or out of reach); the scoped spelling with `%2f` was even refused as a bad
// path. Now version documents get the packuments' treatment: tarball URLs on the site's public URL,
// and a synchronized package's answered from the site's store, also while the root is stopped.
import t from 'tap'
import { request } from 'undici'
import { startNpmStack } from './helpers/npm-stack.ts'
import { tempDir } from './helpers/sites.ts'

interface VersionDocument {
  name: string
  version: string
  dist: { tarball: string }
}

t.test('version documents point their tarball at the site, from its store when synchronized', async (t) => {
  const stack = await startNpmStack(t, tempDir(t), { packages: ['left-pad'] })
  const get = async (path: string) => {
    const res = await request(stack.publicUrl + path, { headers: { accept: 'application/json' }, dispatcher: stack.child.agent })
    return { status: res.statusCode, body: await res.body.text() }
  }
  const check = async (path: string, name: string, version: string) => {
    const r = await get(path)
    t.equal(r.status, 200, `${path} is answered`)
    if (r.status !== 200) return t.comment(r.body)
    const doc = JSON.parse(r.body) as VersionDocument
    t.equal(doc.name, name, `${path}: ${name}`)
    t.equal(doc.version, version, `${path}: version ${version}`)
    const file = `${name.replace(/^@.*\//, '')}-${version}.tgz`
    if (!t.equal(doc.dist.tarball, `${stack.publicUrl}/${name}/-/${file}`, `${path}: the tarball is fetched through the site`)) return
    const tgz = await request(doc.dist.tarball, { dispatcher: stack.child.agent })
    await tgz.body.dump()
    t.equal(tgz.statusCode, 200, `${path}: and the site serves it`)
  }

  // Synchronized (left-pad) and not (@acme/util, not-synced), by version and by dist-tag.
  await check('/left-pad/1.0.0', 'left-pad', '1.0.0')
  await check('/left-pad/latest', 'left-pad', '1.2.0')
  await check('/@acme%2futil/1.0.0', '@acme/util', '1.0.0')
  await check('/@acme/util/latest', '@acme/util', '1.0.0')
  await check('/not-synced/1.0.0', 'not-synced', '1.0.0')
  t.equal((await get('/left-pad/9.9.9')).status, 404, 'a version the package does not have is not found')

  await stack.root.stop()
  await check('/left-pad/1.1.0', 'left-pad', '1.1.0')
  await check('/left-pad/latest', 'left-pad', '1.2.0')
  t.pass('a synchronized package\'s version documents and tarballs come from the store with the root stopped')
})
