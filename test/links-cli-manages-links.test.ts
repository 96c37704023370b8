// `fedgate links` at the incoming side: create prints the sync token once (stored hashed), list shows
// links without tokens, disable/enable/recreate act by name (recreate retires the old token), bad input
// is refused naming the problem and creates nothing, and status reads what exchanges saved.
import t from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { loadConfigFile } from '../gateway/config/load.ts'
import { systemClock } from '../gateway/util/clock.ts'
import { LinkRing } from '../plugins/hub/links.ts'
import { openStores } from '../plugins/hub/store/open.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { linkedYaml } from './helpers/links.ts'
import { tempDir } from './helpers/sites.ts'

const run = promisify(execFile)
const bin = join(import.meta.dirname, '..', 'gateway', 'cli', 'bin.mjs')

t.test('fedgate links create|list|disable|enable|recreate|status', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'tokyo.yaml')
  writeFileSync(file, linkedYaml('tokyo', { dir, owns: ['tokyo/*'] }))
  const links = (...args: string[]) => run(process.execPath, [bin, 'links', '--config', file, ...args])
  const verify = async (token: string) => {
    const stores = await openStores(loadConfigFile(file, builtinPlugins), { follow: false })
    try {
      return await new LinkRing(stores.index, systemClock).verify(token)
    } finally {
      await stores.close()
    }
  }

  const created = await links('create', '--name', 'london', '--repositories', 'tokyo/*,london/*', '--mode', 'mirror')
  const token = /fgk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/.exec(created.stdout)?.[0]
  t.ok(token, 'the token is printed')
  t.match(created.stdout, /london +enabled +mirror +tokyo\/\*,london\/\*/)
  t.equal((await verify(token!))?.name, 'london', 'and works')
  const stored = readdirSync(join(dir, '.fedgate', 'tokyo', 'store')).map((f) => join(dir, '.fedgate', 'tokyo', 'store', f))
  t.notOk(stored.some((f) => { try { return readFileSync(f).includes(token!.slice(21)) } catch { return false } }), 'only its hash is stored')

  const listed = await links('list')
  t.match(listed.stdout, /london +enabled +mirror/)
  t.notOk(listed.stdout.includes(token!), 'list never shows a token')

  t.match((await links('disable', 'london')).stdout, /london +disabled/)
  t.equal(await verify(token!), undefined, 'a disabled link\'s token fails')
  t.match((await links('enable', 'london')).stdout, /london +enabled/)
  const recreated = await links('recreate', 'london')
  const fresh = /fgk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/.exec(recreated.stdout)?.[0]
  t.ok(fresh && fresh !== token, 'recreate prints a new token')
  t.equal(await verify(token!), undefined, 'the old one is retired')
  t.equal((await verify(fresh!))?.name, 'london')

  const bad = await links('create', '--name', 'paris', '--repositories', 'a/*', '--mode', 'sideways').catch((e: { stderr: string; code: number }) => e)
  t.match((bad as { stderr: string }).stderr, /pull\|push\|mirror\|custom/, 'a bad mode is refused naming the modes')
  const badPattern = await links('create', '--name', 'paris', '--repositories', 'Bad Pattern', '--mode', 'pull').catch((e: { stderr: string }) => e)
  t.match((badPattern as { stderr: string }).stderr, /"Bad Pattern": a repository pattern is ns\/\*, ns\/\*\* or ns\/name/)
  t.notMatch((await links('list')).stdout, /paris/, 'and nothing was created')
  t.match((await links('status')).stdout, /no link has exchanged anything yet/)
})
