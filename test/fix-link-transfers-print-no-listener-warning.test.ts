// A link moves up to 16 blobs each way at once, every request listening to the site's stop signal: past
// Node's default of 10 listeners that printed a MaxListenersExceededWarning on every busy exchange, a
// process warning in an operator's log that looks like a leak. The signal is declared as shared.
import t from 'tap'
import { publish } from './helpers/hub.ts'
import { startLinked } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'

t.test('an exchange moving many blobs at once prints no listener warning', async (t) => {
  const warnings: string[] = []
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`)
  process.on('warning', onWarning)
  t.teardown(() => void process.off('warning', onWarning))
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*'], mode: 'pull' })).token
  for (let i = 0; i < 40; i++) t.equal((await publish(tokyo, tokyo.publish, 'tokyo/app', `1.${i}`, `blob ${i}`)).status, 201)
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'pull', repositories: ['tokyo/*'] }] })
  await london.engine('london').exchange()
  t.equal((await fetchText(london, '/api/v1/repos/tokyo/app/images/1.39/content')).body, 'blob 39', 'the blobs arrived')
  // Warnings are emitted on the next tick.
  await new Promise((r) => setImmediate(r))
  t.same(warnings.filter((w) => w.includes('MaxListeners')), [], 'no listener warning')
})
