// A mirror link cut (the peer refuses it) while both sides publish: exchanges fail and say so in
// status, each side keeps serving what it has, and after the heal both converge within two rounds,
// each change moved once.
import t from 'tap'
import { publish } from './helpers/hub.ts'
import { linkStatus, startLinked } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'

t.test('a cut link heals within two rounds', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*', 'london/*'], mode: 'mirror' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'mirror', repositories: ['tokyo/*', 'london/*'] }] })
  t.equal((await publish(tokyo, tokyo.publish, 'tokyo/app', '1.0', 't1')).status, 201)
  await london.engine('london').exchange()
  const healthy = await linkStatus(london, 'outgoing')

  await tokyo.links.setDisabled('london', true) // the partition
  for (let i = 0; i < 3; i++) {
    t.equal((await publish(tokyo, tokyo.publish, 'tokyo/app', `2.${i}`, `t2.${i}`)).status, 201)
    t.equal((await publish(london, london.publish, 'london/app', `1.${i}`, `l1.${i}`)).status, 201)
    await t.rejects(london.engine('london').exchange(), /401/, 'the exchange fails while cut')
  }
  t.match((await linkStatus(london, 'outgoing')).failing?.reason, /401/, 'status says why')
  t.equal((await fetchText(london, '/api/v1/repos/tokyo/app/images/1.0/content')).body, 't1', 'london keeps serving what it has')

  await tokyo.links.setDisabled('london', false) // the heal
  await london.engine('london').exchange()
  await london.engine('london').exchange()
  for (let i = 0; i < 3; i++) {
    t.equal((await fetchText(london, `/api/v1/repos/tokyo/app/images/2.${i}/content`)).body, `t2.${i}`, `london has tokyo's 2.${i}`)
    t.equal((await fetchText(tokyo, `/api/v1/repos/london/app/images/1.${i}/content`)).body, `l1.${i}`, `tokyo has london's 1.${i}`)
  }
  const after = await linkStatus(london, 'outgoing')
  t.notOk(after.failing, 'no longer failing')
  t.equal(after.blobs.in - healthy.blobs.in, 3, 'each of tokyo\'s new blobs came once')
  t.equal(after.blobs.out - healthy.blobs.out, 3, 'each of london\'s went once')
})
