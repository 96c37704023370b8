// X-Forwarded-Host and X-Forwarded-Proto are believed only from an address in site.trustedProxies (and the
// forwarded host must still be one of the site's names): from any other address they change nothing, so a
// client cannot pick the host written into packuments by sending them. The trusted proxy here connects
// from 127.0.0.2, the ordinary client from 127.0.0.1.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { servedTarballs, startNpmStack } from './helpers/npm-stack.ts'

t.test('forwarded host and scheme count only from a trusted proxy', async (t) => {
  const stack = await startNpmStack(t, tempDir(t), { site: 'hosts: [mirror.example], trustedProxies: [127.0.0.2/32]' })
  const port = stack.child.gw.httpsPort
  const headers = { 'X-Forwarded-Host': 'mirror.example', 'X-Forwarded-Proto': 'http' }
  for (const name of ['left-pad', 'not-synced']) {
    const direct = await servedTarballs(t, stack, name, { headers })
    t.ok(direct.every((u) => u.startsWith(`https://127.0.0.1:${port}/${name}/-/`)), `${name}: from an untrusted address the headers are ignored (${direct[0]})`)
    const viaProxy = await servedTarballs(t, stack, name, { headers, localAddress: '127.0.0.2' })
    t.ok(viaProxy.every((u) => u.startsWith(`http://mirror.example/${name}/-/`)), `${name}: from the trusted proxy they are used (${viaProxy[0]})`)
    const unlisted = await servedTarballs(t, stack, name, { headers: { 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'https' }, localAddress: '127.0.0.2' })
    t.ok(unlisted.every((u) => u.startsWith(`https://localhost:${port}/`)), `${name}: a forwarded host the site does not answer for falls back (${unlisted[0]})`)
  }
})
