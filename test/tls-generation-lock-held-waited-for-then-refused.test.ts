// While a live process holds a tls dir's generation lock, another generation there waits for it, and
// past its bound (GENERATION_LOCK_WAIT_MS, shortened here) gives up with an error naming the lock file
// and its holder, having written nothing. Once the holder is gone, the lock is taken over.
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { ensureCertificates } from '../gateway/tls/certificates.ts'
import { GENERATION_LOCK } from '../gateway/tls/generation-lock.ts'
import { tempDir } from './helpers/sites.ts'

t.test('a lock a live process holds bounds the wait, then a clear error; taken once the process is gone', async (t) => {
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120_000)'], { stdio: 'ignore' })
  t.teardown(() => holder.kill('SIGKILL'))
  const certs = join(tempDir(t), 'certs')
  mkdirSync(certs)
  const lock = join(certs, GENERATION_LOCK)
  writeFileSync(lock, `${hostname()}:${holder.pid}\n`)
  const ensure = () => ensureCertificates({ dir: certs, siteName: 'lock', hosts: [], lockWaitMs: 300 })

  t.throws(ensure, { message: `${lock}: another process (${hostname()}:${holder.pid}) has been generating certificates in ${certs} for more than 0.3 s; if none is, remove the lock file` })
  t.same(readdirSync(certs), [GENERATION_LOCK], 'nothing was written, and the holder\'s lock is kept')

  holder.kill('SIGKILL')
  await once(holder, 'exit')
  ensure()
  t.same(readdirSync(certs).sort(), ['ca.crt', 'ca.key', 'lock.crt', 'lock.key'], 'once it is gone: generated, no lock left')
})
