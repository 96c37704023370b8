// `root.health.timeout: 600h` passed check and start, and every probe then failed at once: the probe's
// AbortSignal.timeout took Node's timer limit (2^31-1 ms, about 596 h) and fired after 1 ms, so a root
// that answered was marked down. Like the site's other long waits (fix-long-durations-wait-their-length),
// the probe's deadline is now taken in steps.
import t from 'tap'
import pino from 'pino'
import { Pool } from 'undici'
import { RootHealth } from '../gateway/upstream/root-health.ts'
import { systemClock } from '../gateway/util/clock.ts'
import type { RootClient } from '../gateway/upstream/root-client.ts'
import { startOrigin } from './helpers/sites.ts'

t.test('a probe with a 600h timeout finds an answering root up', async (t) => {
  const origin = await startOrigin(t, (_req, res) => res.end('ok'))
  const pool = new Pool(origin.url)
  t.teardown(() => pool.close())
  const client = { pool, basePath: '', origin: origin.url } as unknown as RootClient
  const hours600 = 600 * 3_600_000
  const health = new RootHealth(client, { path: '/health', interval: 5000, timeout: hours600, failures: 3, backoff: 1000, maxBackoff: 30_000 }, systemClock, pino({ level: 'silent' }))
  t.equal(await health.probe(), true, 'the probe waited for the answer')
  t.equal(health.state, 'up')
  t.equal(health.failures.probe, 0)
})
