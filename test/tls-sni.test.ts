import t from 'tap'
import { join } from 'node:path'
import { ensureCertificates } from '../gateway/tls/certificates.ts'
import { startSite, tempDir } from './helpers/sites.ts'
import { connectTls } from './helpers/raw-http.ts'

t.test('SNI picks the certificate named for the host the client asks for', async (t) => {
  const dir = tempDir(t)
  const certs = join(dir, 'certs')
  // Two extra certificates from the same local CA the site will use.
  const alpha = ensureCertificates({ dir: certs, siteName: 'alpha', hosts: ['alpha.test'] })
  const beta = ensureCertificates({ dir: certs, siteName: 'beta', hosts: ['beta.test', '*.cdn.test'] })
  const site = await startSite(
    t,
    `site: { name: snisite, role: root }
listen:
  https: { host: 127.0.0.1, port: 0 }
tls:
  dir: certs
  sni:
    - { hosts: [alpha.test], cert: ${alpha.cert}, key: ${alpha.key} }
    - { hosts: [beta.test, '*.cdn.test'], cert: ${beta.cert}, key: ${beta.key} }
`,
    { dir },
  )
  const cases: [string, string, RegExp][] = [
    ['alpha.test', 'alpha', /DNS:alpha\.test/],
    ['ALPHA.test', 'alpha', /DNS:alpha\.test/],
    ['beta.test', 'beta', /DNS:beta\.test/],
    ['img.cdn.test', 'beta', /DNS:\*\.cdn\.test/],
    ['localhost', 'snisite', /DNS:localhost/],
  ]
  for (const [servername, cn, san] of cases) {
    const s = await connectTls(t, site.gw.httpsPort, site.ca, servername)
    const peer = s.getPeerCertificate()
    t.equal(peer.subject.CN, cn, `${servername} → certificate ${cn}`)
    t.match(peer.subjectaltname, san)
    t.ok(s.authorized, `${servername} verifies against the CA`)
    s.end()
  }
  // A deeper name does not match the one-level wildcard: it gets the default certificate.
  const deep = await connectTls(t, site.gw.httpsPort, site.ca, 'localhost', { servername: 'a.b.cdn.test', checkServerIdentity: () => undefined })
  t.equal(deep.getPeerCertificate().subject.CN, 'snisite', 'a.b.cdn.test falls back to the default certificate')
  deep.end()
})
