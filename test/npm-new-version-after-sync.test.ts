// A version published at the root reaches the child's users after the next sync (run on demand here),
// and a version unpublished at the root disappears from the child, tarball included.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fetchText, tempDir } from './helpers/sites.ts'
import { npmProject, startNpmStack } from './helpers/npm-stack.ts'

const installed = (dir: string) => JSON.parse(readFileSync(join(dir, 'node_modules/left-pad/package.json'), 'utf8')).version as string

t.test('new versions arrive with the next sync; unpublished ones disappear', async (t) => {
  const stack = await startNpmStack(t, tempDir(t), { packages: ['left-pad'] })
  await stack.root.publish({ name: 'left-pad', version: '1.3.0' })

  const before = npmProject(stack, 'before', {})
  t.equal((await stack.install(before, ['left-pad@latest'])).code, 0)
  t.equal(installed(before), '1.2.0', 'before the sync the child serves its snapshot')

  const status = await stack.syncNow('left-pad')
  t.equal(status.packages.find((p) => p.name === 'left-pad')?.state, 'in-sync')
  const after = npmProject(stack, 'after', {})
  const r = await stack.install(after, ['left-pad@latest'])
  t.equal(r.code, 0, r.stderr)
  t.equal(installed(after), '1.3.0', 'after the sync npm install pkg@latest gets the new version')

  await stack.root.unpublish('left-pad@1.0.0')
  await stack.syncNow('left-pad')
  const doc = JSON.parse((await fetchText(stack.child, '/left-pad')).body) as { versions: Record<string, unknown> }
  t.same(Object.keys(doc.versions).sort(), ['1.1.0', '1.2.0', '1.3.0'], 'the unpublished version is gone from the packument')
  const tgz = await fetchText(stack.child, '/left-pad/-/left-pad-1.0.0.tgz')
  t.equal(tgz.status, 404, 'and its tarball is no longer served')
  const gone = npmProject(stack, 'gone', {})
  const g = await stack.install(gone, ['left-pad@1.0.0'])
  t.not(g.code, 0, 'npm cannot install the unpublished version')
  t.match(g.stderr, /ETARGET|No matching version/)
})
