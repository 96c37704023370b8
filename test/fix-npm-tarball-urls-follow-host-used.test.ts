// Without site.publicUrl, served packuments named https://localhost:<port> in every tarball URL, so a
// client on another machine could install nothing. Now they name the host the client used, when the site
// answers for it: the real npm reaches one child as `127.0.0.1` and as `localhost` (both in its generated
// certificate), each with an empty cache, and each lock file records its own host, for synchronized
// packages (rendered and remembered per host) and a proxied one alike.
import t from 'tap'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'
import { runNpm } from './helpers/npm-client.ts'
import { lockedUrls, npmProject, startNpmStack } from './helpers/npm-stack.ts'

t.test('each npm client gets tarball URLs naming the host it used, and both installs succeed', async (t) => {
  const stack = await startNpmStack(t, tempDir(t))
  const port = stack.child.gw.httpsPort
  const deps = { '@acme/util': '^1.0.0', 'not-synced': '1.0.0' }
  for (const host of ['127.0.0.1', 'localhost']) {
    const base = `https://${host}:${port}`
    const app = npmProject(stack, `app-${host}`, deps)
    const r = await runNpm({ ...stack.npm, dir: join(stack.dir, `npm-${host}`), registry: `${base}/` }, ['install'], { cwd: app })
    t.equal(r.code, 0, `npm install through ${host} succeeds: ${r.stderr}`)
    t.ok(existsSync(join(app, 'node_modules/@acme/util/index.js')) && existsSync(join(app, 'node_modules/not-synced/index.js')), `${host}: installed`)
    const urls = lockedUrls(app)
    t.equal(urls.length, 3, `${host}: three packages locked (left-pad, @acme/util synchronized; not-synced proxied)`)
    for (const u of urls) t.ok(u.startsWith(`${base}/`), `${host}: ${u} names the host this client used`)
  }
})
