// With writes allowed, `npm deprecate` through a child reads the packument with `?write=true` and PUTs
// it back to the root. That read must come from the root, never from the child's store (cut to the
// newest N versions and possibly stale): otherwise the root unpublishes every version the copy lacks.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { runNpm } from './helpers/npm-client.ts'
import { startNpmStack } from './helpers/npm-stack.ts'

t.test('npm deprecate through a child keeps every version at the root', async (t) => {
  const stack = await startNpmStack(t, tempDir(t), {
    packages: ['left-pad'],
    extra: '  versions: newest 2\n  allowWrites: true\nforward: { allowWrites: true }\n',
  })
  // The child holds 1.1.0 and 1.2.0; 1.3.0 appears at the root after its sync.
  await stack.root.publish({ name: 'left-pad', version: '1.3.0' })
  const held = JSON.parse((await runNpm(stack.npm, ['view', 'left-pad', 'versions', '--json'], { cwd: stack.dir })).stdout) as string[]
  t.same(held, ['1.1.0', '1.2.0'], 'the child serves its cut, stale snapshot')

  // The developer's own token for the root, as npm sends it to the configured registry.
  const dev = { ...stack.npm, token: stack.root.token }
  const dep = await runNpm(dev, ['deprecate', 'left-pad@1.2.0', 'use 1.3.0'], { cwd: stack.dir })
  t.equal(dep.code, 0, `npm deprecate succeeds: ${dep.stderr}`)

  const view = async (args: string[]) => JSON.parse((await runNpm(stack.root.npm, ['view', 'left-pad', ...args, '--json'], { cwd: stack.dir })).stdout) as unknown
  t.same(await view(['versions']), ['1.0.0', '1.1.0', '1.2.0', '1.3.0'], 'the root keeps every version')
  t.same(await view(['dist-tags']), { latest: '1.3.0' }, 'and its dist-tags')
  const deprecated = JSON.parse((await runNpm(stack.root.npm, ['view', 'left-pad@1.2.0', 'deprecated', '--json'], { cwd: stack.dir })).stdout) as string
  t.equal(deprecated, 'use 1.3.0', 'the version is deprecated at the root')

  const reads = (await stack.child.logs.waitFor((l) => l.msg === 'request' && l.method === 'GET' && l.path === '/left-pad' && l.cache === 'bypass')).length
  t.ok(reads >= 1, 'the ?write=true read went to the root')
})
