// A hot answer repeated before routing (docs/lifecycle.md, step 1) is counted in /metrics under the stage
// "repeat", not under the route that first gave it, and the answers held show in fedgate_hot_answers.
import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { startRoot, publishBlob, KEYLESS_READS, adminKeyOf, bearer } from './helpers/hub.ts'
import { scrape } from './helpers/metrics.ts'

t.test('hot repeats are counted as the repeat stage', async (t) => {
  const root = await startRoot(t, { extra: KEYLESS_READS })
  const path = await publishBlob(root, 'acme/app', '1', Buffer.from('x'.repeat(2048)))
  const metrics = async () => scrape(`${root.url}/metrics`, { dispatcher: root.agent, headers: bearer(await adminKeyOf(root)) })
  const before = await metrics()
  for (let i = 0; i < 4; i++) t.equal((await fetchText(root, path)).status, 200)
  const after = await metrics()
  const diff = (stage: string) => (after.value('fedgate_requests_total', { stage, status_class: '2xx' }) ?? 0) - (before.value('fedgate_requests_total', { stage, status_class: '2xx' }) ?? 0)
  t.equal(diff('repository'), 1, 'the first read went through routing')
  t.equal(diff('repeat'), 3, 'the next three were repeats')
  t.equal(after.value('fedgate_request_duration_seconds_count', { stage: 'repeat' }), 3)
  t.equal(after.value('fedgate_hot_answers'), 1, 'one answer held')
})
