// `fedgate start --workers 2` (a real process) with file watching off: SIGHUP to the primary reloads
// the certificates in every worker, so every new connection, whichever worker takes it, gets the new one.
import t from 'tap'
import { X509Certificate } from 'node:crypto'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureCertificates } from '../gateway/tls/certificates.ts'
import { tempDir } from './helpers/sites.ts'
import { startProcess } from './helpers/process.ts'
import { connectTls } from './helpers/raw-http.ts'
import { waitFor } from './helpers/sync.ts'

t.test('SIGHUP reloads the certificates in every worker', async (t) => {
  const dir = tempDir(t)
  const certs = join(dir, 'certs')
  const file = join(dir, 'site.yaml')
  writeFileSync(file, 'site: { name: hup, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs, watch: false }\n')
  const site = await startProcess(t, file, { args: ['--workers', '2'] })
  await waitFor('both workers listen', () => site.lines.filter((l) => l.msg === 'fedgate listening').length === 2)
  const ca = readFileSync(join(certs, 'ca.crt'), 'utf8')

  const next = ensureCertificates({ dir: certs, siteName: 'hup', hosts: ['renewed.test'], cert: join(certs, 'next.crt'), key: join(certs, 'next.key') })
  const fingerprint = new X509Certificate(readFileSync(next.cert)).fingerprint256
  renameSync(next.key, join(certs, 'hup.key'))
  renameSync(next.cert, join(certs, 'hup.crt'))
  site.proc.kill('SIGHUP')
  await waitFor('both workers reloaded', () => site.lines.filter((l) => l.msg === 'tls certificates reloaded').length === 2)
  // New connections go to the workers in turn: six of them reach both.
  for (let i = 0; i < 6; i++) {
    const socket = await connectTls(t, site.port, ca)
    t.equal(socket.getPeerCertificate().fingerprint256, fingerprint, `connection ${i + 1}: the new certificate`)
    socket.destroy()
  }
})
