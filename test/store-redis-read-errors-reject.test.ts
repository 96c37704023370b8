// With the index in Redis, a read that fails is an error, never "absent". A repository read as absent
// during a commit would be rebuilt from nothing and its other tags erased; a key read as absent would
// look disabled or unknown. A connection reset cannot be timed in a test, so a reply that is an error
// stands in for it: the repository's key made a list, so GET answers WRONGTYPE.
import t from 'tap'
import { connect } from 'node:net'
import { startRedis } from './helpers/redis.ts'
import { openTestStores, storeImage } from './helpers/stores.ts'

/** Sends one inline command to Redis and resolves with its first reply line. */
function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(port, '127.0.0.1', () => c.write(`${command}\r\n`))
    c.once('data', (d) => {
      resolve(d.toString().split('\r\n')[0]!)
      c.destroy()
    })
    c.once('error', reject)
  })
}

t.test('a failed Redis read rejects the read and the commit built on it', async (t) => {
  const redis = await startRedis(t)
  const s = await openTestStores(t, { index: redis.url, prefix: 'fedgate:e:' })
  const a = await storeImage(s.blobStore, 'a')
  const b = await storeImage(s.blobStore, 'b')
  await s.repositoryStore.commit('acme/app', { tags: { '1.0': a.id }, images: { [a.id]: a } })

  t.match(await redisCommand(redis.port, 'LPUSH fedgate:e:broken x'), /^:1/)
  await t.rejects(s.index.get('broken'), /WRONGTYPE/, 'a failed GET rejects instead of answering absent')
  const before = await redisCommand(redis.port, 'GET fedgate:e:rev')
  t.match(await redisCommand(redis.port, 'DEL fedgate:e:repo/acme/app'), /^:1/)
  t.match(await redisCommand(redis.port, 'LPUSH fedgate:e:repo/acme/app x'), /^:1/)
  await t.rejects(s.repositoryStore.commit('acme/app', (prev) => ({ tags: { ...prev?.tags, '2.0': b.id }, images: { ...prev?.images, [b.id]: b } })), 'the commit fails')
  t.equal(await redisCommand(redis.port, 'GET fedgate:e:rev'), before, 'and changes nothing: no revision taken')
})
