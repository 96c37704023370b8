// `fedgate` gives V8 its young generation's growth back once the site is busy (bin.mjs), and V8 stamps a
// code cache with the flags in force when it is made: a cache written after that change was refused by
// every later start (which begins with the growth held), so a site started under load never had a usable
// cache, silently. The cache is now kept before the flag changes. Here a preload allocates hard as soon
// as the site has started (the site busy at once), and the next start with the same node flags uses the cache.
import t from 'tap'
import { compiledCopy } from './helpers/compiled-copy.ts'

/** Allocates for 3 s from the start on: far more than the 50 minor collections a second that count as busy. */
const BUSY = "data:text/javascript,process.once('fedgate:started',()=>{const i=setInterval(()=>{const a=[];for(let n=0;n<100000;n++)a.push({n});globalThis.fedgateTestBusy=a},5);setTimeout(()=>clearInterval(i),3000).unref()})"

t.test('a site busy from its start keeps a code cache the next start uses', async (t) => {
  const { start } = compiledCopy(t)
  const busy = await start(['--import', BUSY], true)
  t.equal(busy.status, 200, 'the busy start serves')
  t.match(busy.said, [/^none: compiled from source /, /^kept /], 'compiled from source, then kept')
  const next = await start(['--import', BUSY], false)
  t.equal(next.status, 200)
  t.match(next.said, [/^used /], 'the next start uses it')
})
