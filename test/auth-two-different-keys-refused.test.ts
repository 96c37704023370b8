// A request may present its key as `Authorization: Bearer …` or `X-ApiKey: …`. With both, naming two
// different keys, the Bearer one was taken silently: a publish checked against one key while a proxy or
// a log in between saw the other. Two different keys are refused (400, naming both headers, neither
// key); the same key in both is one key.
import t from 'tap'
import { publish, startRoot } from './helpers/hub.ts'

t.test('Authorization and X-ApiKey with two different keys are refused', async (t) => {
  const root = await startRoot(t)
  const two = await publish(root, root.publish, 'acme/app', '1.0', 'bytes', { 'x-apikey': root.read })
  t.equal(two.status, 400)
  t.match(two.body.error, { code: 'GW_ERR_BAD_REQUEST', message: /Authorization and X-ApiKey present two different keys/ })
  t.notMatch(two.text, root.publish, 'the answer holds neither key')
  t.notMatch(two.text, root.read)
  const same = await publish(root, root.publish, 'acme/app', '1.0', 'bytes', { 'x-apikey': root.publish })
  t.equal(same.status, 201, 'the same key in both is accepted')
})
