// Run as a child process by store-commit-survives-sigkill.test.ts: commits new images in a loop and
// says what it is about to commit and what it committed, until it is killed.
import { randomBytes } from 'node:crypto'
import { openTestStores, storeImage } from './stores.ts'

const dir = process.argv[2]!
const s = await openTestStores({ teardown() {} }, { dir })
for (let i = 0; i < 100_000; i++) {
  const image = await storeImage(s.blobStore, randomBytes(4096 + (i % 7) * 1000))
  const prev = await s.repositoryStore.get('acme/app')
  const tags: Record<string, string> = { ...(prev?.tags ?? {}), latest: image.id, [`v${i % 5}`]: image.id }
  if (i % 3 === 2) delete tags[`v${(i + 1) % 5}`]
  const images = { ...(prev?.images ?? {}), [image.id]: image }
  process.stdout.write(`about ${JSON.stringify(tags)}\n`)
  await s.repositoryStore.commit('acme/app', { tags, images })
  process.stdout.write(`done ${i}\n`)
}
