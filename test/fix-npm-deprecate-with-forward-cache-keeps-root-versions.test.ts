// npm's read before a write (`GET /<pkg>?write=true`, then the document PUT back) went through the
// forward cache like any read: with a freshness set (`forward.cache.defaults.maxAge`), the second
// `npm deprecate` of an unsynchronized package got the copy stored by the first, and its PUT unpublished
// the version published at the root in between. That read now always comes from the root, unstored.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { runNpm } from './helpers/npm-client.ts'
import { startNpmStack } from './helpers/npm-stack.ts'

t.test('npm deprecate through a caching child keeps a version published at the root meanwhile', async (t) => {
  const stack = await startNpmStack(t, tempDir(t), {
    packages: ['left-pad'],
    extra: '  allowWrites: true\nforward:\n  allowWrites: true\n  cache: { enabled: true, defaults: { maxAge: 5m } }\n',
  })
  const dev = { ...stack.npm, token: stack.root.token }
  const first = await runNpm(dev, ['deprecate', 'not-synced@1.0.0', 'use 2'], { cwd: stack.dir })
  t.equal(first.code, 0, `the first deprecate succeeds: ${first.stderr}`)

  await stack.root.publish({ name: 'not-synced', version: '1.1.0' })
  const second = await runNpm(dev, ['deprecate', 'not-synced@1.0.0', 'use 1.1'], { cwd: stack.dir })
  t.equal(second.code, 0, `the second deprecate succeeds: ${second.stderr}`)

  const view = async (args: string[]) => JSON.parse((await runNpm(stack.root.npm, ['view', 'not-synced', ...args, '--json'], { cwd: stack.dir })).stdout) as unknown
  t.same(await view(['versions']), ['1.0.0', '1.1.0'], 'the root keeps the version published between the two')
  t.same(await view(['dist-tags']), { latest: '1.1.0' }, 'and its latest')
  const reads = await stack.child.logs.waitFor((l) => l.msg === 'request' && l.method === 'GET' && l.path === '/not-synced' && l.cache === 'bypass')
  t.ok(reads.length >= 2, 'each ?write=true read went to the root, past the cache')
})
