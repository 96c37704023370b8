// A link's status (changes, blobs and bytes each way, last exchange) is saved in the index, but a
// restarted site began again from zero in memory, and its first save overwrote what was saved. A site
// now takes its links' saved statuses back at start, and goes on counting from them.
import t from 'tap'
import { publish } from './helpers/hub.ts'
import { linkStatus, startLinked } from './helpers/links.ts'
import { tempDir } from './helpers/sites.ts'

t.test('a link goes on counting across a restart', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*'], mode: 'pull' })).token
  const london = () => startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'pull', repositories: ['tokyo/*'] }] })
  t.equal((await publish(tokyo, tokyo.publish, 'tokyo/app', '1.0', 'app')).status, 201)
  let site = await london()
  await site.engine('london').exchange()
  const before = await linkStatus(site, 'outgoing')
  const served = async () => (await linkStatus(tokyo, 'incoming')).changes.out
  t.ok(before.changes.in > 0, 'changes came in')
  t.equal(before.changes.in, await served(), 'as many as tokyo served')
  await site.gw.close()

  t.equal((await publish(tokyo, tokyo.publish, 'tokyo/app', '2.0', 'app 2')).status, 201)
  site = await london()
  await site.engine('london').exchange()
  const after = await linkStatus(site, 'outgoing')
  t.ok((await served()) > before.changes.in, 'tokyo served more')
  t.equal(after.changes.in, await served(), 'the count goes on from the saved one: all tokyo served')
  t.equal(after.blobs.in, 2, 'the blobs count goes on too (one a publish)')
  t.equal(after.lastExchange! > before.lastExchange!, true, 'and the last exchange is the new one')
})
