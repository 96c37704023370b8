// A client may send any Host. Tarball URLs follow the Host only when the site answers for that name
// (its certificate's names, tls.hosts, site.hosts): a forged Host gets the default URL
// (https://localhost:<port>), so no packument the site serves, synchronized or proxied, ever names
// the forged host, and the clients that come after it get their own host's URLs.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { servedTarballs, startNpmStack } from './helpers/npm-stack.ts'

t.test('a Host the site does not answer for never reaches a served URL', async (t) => {
  const stack = await startNpmStack(t, tempDir(t))
  const port = stack.child.gw.httpsPort
  const forged = [`evil.example:${port}`, 'evil.example', `localhost.evil.example:${port}`, `127.0.0.1.evil.example:${port}`]
  for (const name of ['left-pad', 'not-synced']) {
    for (const host of forged) {
      const urls = await servedTarballs(t, stack, name, { host })
      t.ok(urls.length > 0 && urls.every((u) => u.startsWith(`https://localhost:${port}/${name}/-/`)), `${name}, Host ${host}: the default URL (${urls[0]})`)
    }
    const after = await servedTarballs(t, stack, name)
    t.ok(after.every((u) => u.startsWith(`https://127.0.0.1:${port}/${name}/-/`)), `${name}: the next client gets its own host (${after[0]})`)
    const viaLocalhost = await servedTarballs(t, stack, name, { host: `localhost:${port}` })
    t.ok(viaLocalhost.every((u) => u.startsWith(`https://localhost:${port}/`)), `${name}: and a client naming localhost gets localhost`)
  }
})
