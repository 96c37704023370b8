// A link may tag only blobs its repositories reference or that it uploaded itself; the record of what
// it uploaded was kept in the receiving process's memory only. A receiver restarted between a peer's
// blob upload and its change upload refused the change as naming a blob it lacks (409), though the blob
// was on its disk (the sender had to upload it again). The record is now in the site's index, embedded
// or Redis, and survives a restart (a `fedgate start` process killed and started on the same store).
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { linksBefore, writeLinkedYaml } from './helpers/links.ts'
import { startProcess } from './helpers/process.ts'
import { startRedis } from './helpers/redis.ts'
import { tempDir } from './helpers/sites.ts'
import { sha256 } from './helpers/stores.ts'

const LINK = '/api/v1/federation/link'
const bytes = Buffer.from('london app 1.0')
const id = sha256(bytes)

for (const kind of ['embedded', 'redis'] as const) {
  t.test(`${kind} index: a change upload after the receiver restarted tags the blob the link uploaded before`, async (t) => {
    const dir = tempDir(t)
    const index = kind === 'redis' ? `store: { index: ${(await startRedis(t)).url} }\n` : ''
    const file = writeLinkedYaml('tokyo', { dir, owns: ['tokyo/*'], extra: index })
    const { tokens } = await linksBefore(file, [{ name: 'london', repositories: ['london/*'], mode: 'push' }])
    const auth = { authorization: `Bearer ${tokens[0]}` }
    let tokyo = await startProcess(t, file)
    // The site made its CA at its first start.
    const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8') } })
    t.teardown(() => agent.close())
    const call = async (url: string, path: string, o: { method: string; headers?: Record<string, string>; body?: string | Buffer }) => {
      const res = await request(url + path, { ...o, method: o.method as 'GET', headers: { ...auth, ...o.headers }, dispatcher: agent })
      return { status: res.statusCode, body: await res.body.text() }
    }

    const hello = await call(tokyo.url, `${LINK}/hello`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ site: 'london', owns: ['london/*'] }) })
    t.equal(hello.status, 200)
    const put = await call(tokyo.url, `${LINK}/blobs/sha256:${id}`, { method: 'PUT', headers: { 'fedgate-offset': '0', 'fedgate-size': String(bytes.length) }, body: bytes })
    t.equal(put.status, 201, 'london uploaded the blob')

    await tokyo.kill()
    tokyo = await startProcess(t, file)

    t.equal((await call(tokyo.url, `${LINK}/blobs/sha256:${id}`, { method: 'HEAD' })).status, 200, 'after the restart the link is still told it holds the blob it sent')
    const at = new Date().toISOString()
    const change = { rev: 1, repo: 'london/app', op: 'tag', tag: '1.0', image: { id, size: bytes.length, createdAt: at }, at, origin: 'london', originRev: 1, prev: null }
    const upload = await call(tokyo.url, `${LINK}/changes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ site: 'london', store: 'london-store', upTo: 1, changes: [change] }) })
    t.equal(upload.status, 200, `the change upload is taken: ${upload.body}`)
    t.match(JSON.parse(upload.body), { applied: 1 })
    const content = await call(tokyo.url, '/api/v1/repos/london/app/images/1.0/content', { method: 'GET' })
    t.equal(content.body, bytes.toString(), 'tokyo serves london/app:1.0')
  })
}
