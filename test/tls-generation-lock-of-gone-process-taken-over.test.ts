// A generation's lock file (fix-tls-generation-serialised-between-processes) outlives a process killed
// while it held it: the next generation takes it over when no process of this host has its pid (or the
// pid is its own: a container restarted, the site pid 1 again), and leaves no lock behind.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { ensureCertificates } from '../gateway/tls/certificates.ts'
import { GENERATION_LOCK } from '../gateway/tls/generation-lock.ts'
import { tempDir } from './helpers/sites.ts'

t.test('a lock whose process is gone is taken over', async (t) => {
  const gone = spawnSync(process.execPath, ['-e', '0']).pid! // ended before the lock is read
  for (const holder of [gone, process.pid]) {
    const certs = join(tempDir(t), 'certs')
    mkdirSync(certs)
    writeFileSync(join(certs, GENERATION_LOCK), `${hostname()}:${holder}\n`)
    const r = ensureCertificates({ dir: certs, siteName: 'lock', hosts: [], lockWaitMs: 60_000 })
    t.ok(existsSync(r.cert) && existsSync(r.key), `pid ${holder === gone ? 'of an ended process' : 'of this process'}: the pair was generated`)
    t.same(readdirSync(certs).sort(), ['ca.crt', 'ca.key', 'lock.crt', 'lock.key'], 'and no lock is left')
  }
})
