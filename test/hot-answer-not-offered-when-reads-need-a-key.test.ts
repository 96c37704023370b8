// An answer given to a caller with a key is never repeated to one without: a root whose reads need a
// key (the default) offers nothing (the hub offers keyless reads only, and the core never offers nor
// repeats for a request carrying credentials), and a GET without the key is still refused after one with it.
import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { bearer, hotAnswersOf, publishBlob, startRoot } from './helpers/hub.ts'

t.test('reads that need a key are never repeated', async (t) => {
  const root = await startRoot(t)
  const bytes = Buffer.from('keyed '.repeat(40))
  const path = await publishBlob(root, 'acme/app', '1.0', bytes)
  for (let i = 0; i < 2; i++) t.equal((await fetchText(root, path, { headers: bearer(root.read) })).body, bytes.toString())
  t.equal((await hotAnswersOf(root))?.answers, 0, 'nothing offered')
  const anonymous = await fetchText(root, path)
  t.equal(anonymous.status, 401, 'no key: refused')
  t.notMatch(anonymous.body, bytes.toString())
})
