// `root.ca` is trusted besides the certificate authorities Node trusts, not instead of them: a child whose
// root.ca names its own local CA still reaches a root whose certificate a public authority signed. Here the
// "public authority" is another local CA given to Node as its root store (`--use-openssl-ca` with
// SSL_CERT_FILE: OpenSSL's store, the one Node itself would use), and a forwarded read reaches the root.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:https'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { tempDir, writeSecret } from './helpers/sites.ts'
import { startProcess } from './helpers/process.ts'

const MAIN = fileURLToPath(new URL('../gateway/cli/main.ts', import.meta.url))

t.test("a child reaches a root signed by an authority of Node's root store while root.ca names another CA", async (t) => {
  const dir = tempDir(t)
  // The root's certificate, from a CA of its own (fedgate's generator, in `public`): the public authority.
  writeFileSync(join(dir, 'public.yaml'), 'site: { name: public-root, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: public }\n')
  execFileSync(process.execPath, ['--import', 'tsx', MAIN, 'certs', '--config', join(dir, 'public.yaml')], { stdio: 'ignore' })
  const root = createServer({ cert: readFileSync(join(dir, 'public/public-root.crt')), key: readFileSync(join(dir, 'public/public-root.key')) }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    res.end(JSON.stringify({ name: 'acme/app', via: req.url }))
  })
  await new Promise<void>((r) => root.listen(0, '127.0.0.1', r))
  t.teardown(() => root.close())
  const port = (root.address() as { port: number }).port

  // The child's root.ca: the child's own local CA (made at its start), which did not sign the root's certificate.
  writeSecret(dir, 'root.key', 'fgk_test_' + 'k'.repeat(32))
  writeFileSync(
    join(dir, 'child.yaml'),
    `site: { name: child, role: child }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\n  http: { host: 127.0.0.1, port: 0, redirectToHttps: false }\ntls: { dir: certs, watch: false }\nroot:\n  url: https://localhost:${port}\n  key: file:./root.key\n  ca: certs/ca.crt\n`,
  )
  const child = await startProcess(t, join(dir, 'child.yaml'), {
    program: ['--use-openssl-ca', '--import', 'tsx', MAIN],
    env: { SSL_CERT_FILE: join(dir, 'public/ca.crt') },
  })
  const http = child.lines.find((l) => l.msg === 'fedgate listening')!.http as number
  const res = await request(`http://127.0.0.1:${http}/api/v1/repos/acme/app`)
  t.equal(res.statusCode, 200, 'the forwarded read reached the root')
  t.match(await res.body.json(), { name: 'acme/app', via: '/api/v1/repos/acme/app' })
})
