// Two processes generating certificates in one tls dir at once (`fedgate certs` while `fedgate start` of
// the same site starts, or two sites sharing the dir) took each other's `.pending` files for a crash's
// leftovers: one removed or completed the other's half-written pair (its rename then failed), and both
// made a local CA, so a site's certificate could be signed by a CA key the other had just replaced.
// Generation now holds a lock file in the dir (created exclusively, holding the pid; one whose process is
// gone is taken over), so these processes take turns and every pair is whole and from the one CA.
import t from 'tap'
import { spawn } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadPair } from '../gateway/tls/pair.ts'
import { tempDir } from './helpers/sites.ts'

const MAIN = fileURLToPath(new URL('../gateway/cli/main.ts', import.meta.url))
// Each process waits for the same instant before it loads fedgate, so their generations overlap.
const BARRIER = 'data:text/javascript,Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,Math.max(0,Number(process.env.FEDGATE_TEST_GO)-Date.now()))'

function certs(file: string, go: number): Promise<{ code: number | null; out: string }> {
  const p = spawn(process.execPath, ['--import', BARRIER, '--import', 'tsx', MAIN, 'certs', '--config', file], { env: { ...process.env, FEDGATE_TEST_GO: String(go) } })
  let out = ''
  p.stdout.on('data', (d) => (out += d))
  p.stderr.on('data', (d) => (out += d))
  return new Promise((resolve) => p.once('exit', (code) => resolve({ code, out })))
}

t.test('processes generating in one tls dir at once take turns: every pair whole, from the one CA', async (t) => {
  for (let round = 0; round < 3; round++) {
    const dir = tempDir(t)
    const sites = ['alpha', 'beta']
    for (const s of sites) writeFileSync(join(dir, `${s}.yaml`), `site: { name: ${s}, role: root }\ntls: { dir: certs }\n`)
    const go = Date.now() + 3000
    // Each site's certs twice (as `certs` beside a `start`), both sites at once.
    const runs = await Promise.all(sites.flatMap((s) => [certs(join(dir, `${s}.yaml`), go), certs(join(dir, `${s}.yaml`), go)]))
    for (const r of runs) t.equal(r.code, 0, `round ${round}: every process succeeded: ${r.out.trim().split('\n').at(-1)}`)
    const folder = join(dir, 'certs')
    t.same(readdirSync(folder).filter((f) => !/^(ca|alpha|beta)\.(crt|key)$/.test(f)), [], `round ${round}: nothing else is left (no .pending, no lock)`)
    const ca = new X509Certificate(readFileSync(join(folder, 'ca.crt')))
    for (const s of sites) {
      const pair = () => loadPair(join(folder, `${s}.crt`), join(folder, `${s}.key`))
      t.doesNotThrow(pair, `round ${round}: ${s}'s key is its certificate's`)
      const cert = new X509Certificate(readFileSync(join(folder, `${s}.crt`)))
      t.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey), `round ${round}: ${s}'s certificate is signed by the CA in the dir`)
    }
  }
})
