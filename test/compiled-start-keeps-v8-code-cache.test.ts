// `fedgate start` (bin.mjs running dist/'s CommonJS bundle, gateway/cli/load-compiled.mjs) keeps V8's code
// cache beside the bundle once it has started, and the next start with the same node flags uses it. A cache
// V8 refuses (cut short here: a crash of the disk, a copy from another machine) never stops a start: the
// site compiles from source, serves, and makes the cache again. Other node flags keep a cache of their own.
// Seen through NODE_DEBUG=fedgate-code-cache (the loader's debuglog) and the files in the copy's dist/.
import t from 'tap'
import { readdirSync, statSync, truncateSync } from 'node:fs'
import { join } from 'node:path'
import { compiledCopy } from './helpers/compiled-copy.ts'

t.test('fedgate start keeps a V8 code cache beside the bundle, uses it next time, and remakes one V8 refuses', async (t) => {
  const { dist, caches, start } = compiledCopy(t)
  const bundle = statSync(join(dist, 'main.cjs'))

  const first = await start([], true)
  t.equal(first.status, 200, 'the first start serves')
  t.match(first.said[0], /^none: compiled from source /, 'the first start finds no cache')
  t.match(first.said[1], /^kept /, 'and keeps one once started')
  t.equal(caches().length, 1, 'one cache file')
  const name = caches()[0]!
  t.ok(name.startsWith(`main.cjs.${bundle.size}-`), `named for the bundle it was made from (${name})`)
  t.same(readdirSync(dist).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left')
  const size = statSync(join(dist, name)).size

  const second = await start([], false)
  t.equal(second.status, 200, 'the second start serves')
  t.match(second.said, [/^used /], 'the second start uses the cache, and writes none')

  truncateSync(join(dist, name), Math.floor(size / 2))
  const cut = await start([], true)
  t.equal(cut.status, 200, 'a start with a cache cut short serves')
  t.match(cut.said[0], /^refused by V8: compiled from source /, 'V8 refuses the cut cache')
  t.match(cut.said[1], /^kept /, 'the cache is made again')
  t.ok(statSync(join(dist, name)).size > size / 2, 'whole again (its size: what that start had compiled)')

  const own = await start(['--semi-space-growth-factor=2'], true)
  t.equal(own.status, 200, 'a start with node flags of its own serves')
  t.match(own.said[0], /^none: compiled from source /, 'the cache of the usual flags is not offered to other flags')
  t.equal(caches().length, 2, 'those flags keep a cache of their own')
  const again = await start([], false)
  t.match(again.said, [/^used /], 'and the usual start uses its own, the one made again')
})
