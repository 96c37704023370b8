// `fedgate links dismiss-conflict REPO:TAG` dismisses an ownership conflict in the site's store, the
// site running: it says what it dismissed, and the running site stops listing it. An unknown conflict,
// or a reference without a tag, fails naming it (exit 2) and changes nothing.
import t from 'tap'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { healthOf } from './helpers/hub.ts'
import { ownershipConflictAtTokyo } from './helpers/links.ts'
import { tempDir } from './helpers/sites.ts'
import { sha256 } from './helpers/stores.ts'
import { waitFor } from './helpers/sync.ts'

const run = promisify(execFile)
const bin = join(import.meta.dirname, '..', 'gateway', 'cli', 'bin.mjs')

t.test('fedgate links dismiss-conflict', async (t) => {
  const dir = tempDir(t)
  const { tokyo } = await ownershipConflictAtTokyo(t, { dir })
  const links = (...args: string[]) => run(process.execPath, [bin, 'links', '--config', join(dir, 'tokyo.yaml'), ...args]).then(
      (r) => ({ ...r, code: 0 }),
      (e: { stdout: string; stderr: string; code: number }) => e,
    )
  const listed = async () => ((await healthOf(tokyo)).federation.ownershipConflicts as { repo: string; tag: string }[]).map((c) => `${c.repo}:${c.tag}`)

  const unknown = await links('dismiss-conflict', 'london/app:2.0')
  t.equal(unknown.code, 2, 'an unknown conflict: exit 2')
  t.match(unknown.stderr, /no ownership conflict.*london\/app:2\.0/i, 'naming it')
  const untagged = await links('dismiss-conflict', 'london/app')
  t.equal(untagged.code, 2, 'no tag: exit 2')
  t.match(untagged.stderr, /REPO:TAG/, 'with the usage')
  t.same(await listed(), ['london/app:1.0', 'london/app:latest'], 'nothing changed')

  const done = await links('dismiss-conflict', 'london/app:1.0')
  t.equal(done.code, 0, 'dismissed')
  t.match(done.stdout, new RegExp(`dismissed london/app:1\\.0 sha256:${sha256('tokyo one')}`), 'it says what it dismissed')
  t.match((await links('status')).stdout, /set aside london\/app:latest/, 'links status lists the other')
  t.notMatch((await links('status')).stdout, /set aside london\/app:1\.0/, 'and not this one')
  await waitFor('the running site to pick up the dismissal', async () => (await listed()).join() === 'london/app:latest')
  t.pass('the running site no longer lists it')
})
