// A repeated answer holds only while its route would still give it: once the blob's last tag is deleted
// and so the repository (no snapshot references it), the next GET takes the whole lifecycle and is refused like any unserved blob.
import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { bearer, hotAnswersOf, KEYLESS_READS, publishBlob, startRoot } from './helpers/hub.ts'

t.test('a blob no longer served is no longer repeated', async (t) => {
  const root = await startRoot(t, { extra: KEYLESS_READS })
  const bytes = Buffer.from('soon gone '.repeat(50))
  const path = await publishBlob(root, 'acme/app', '1.0', bytes)
  const hot = async () => (await hotAnswersOf(root))!

  t.equal((await fetchText(root, path)).status, 200)
  t.equal((await fetchText(root, path)).status, 200)
  t.equal((await hot()).answers, 1)

  // A publish also tags `latest`: both go, and with its last tag the repository.
  for (const tag of ['1.0', 'latest']) t.equal((await fetchText(root, `/api/v1/repos/acme/app/tags/${tag}`, { method: 'DELETE', headers: bearer(root.publish) })).status, 204)
  const gone = await fetchText(root, path)
  t.equal(gone.status, 404, 'refused as the route refuses it')
  t.match(JSON.parse(gone.body), { error: { code: 'GW_ERR_NOT_FOUND' } })
  t.equal((await hot()).answers, 0, 'the entry was dropped')

  // Published again, it is served (and offered) again.
  await publishBlob(root, 'acme/app', '1.1', bytes)
  t.equal((await fetchText(root, path)).body, bytes.toString())
  t.equal((await hot()).answers, 1)
})
