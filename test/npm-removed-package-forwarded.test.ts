// A package removed from npm.packages is dropped when the child starts again: requests for it go to
// the root (new versions visible), its tarballs and packument leave the store once older than
// store.collect.grace (the site's collection, as for any blob no snapshot references), and the packages
// still listed keep being served from the store.
import t from 'tap'
import { utimesSync } from 'node:fs'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import type { IndexedRepositoryStore } from '../plugins/hub/store/repository-store.ts'
import type { SyncEngine } from '../plugins/sync/engine.ts'
import { childYaml, fetchText, startSite, tempDir } from './helpers/sites.ts'
import { startNpmStack } from './helpers/npm-stack.ts'

t.test('a package removed from npm.packages is forwarded, and its blobs collected', async (t) => {
  const dir = tempDir(t)
  const stack = await startNpmStack(t, dir, { packages: ['left-pad', '@acme/*'] })
  const before = await stack.child.gw.service<IndexedRepositoryStore>('repositoryStore')!.get('npm/left-pad')
  const ids = Object.keys(before?.images ?? {})
  t.equal(ids.length, 4, 'left-pad was held: its packument and three tarballs')
  await stack.child.gw.close()

  const yaml = childYaml('branch', stack.root.url.replace(/\/$/, ''), `npm:\n  packages: ['@acme/*']\n  interval: 1h\n`)
  const child = await startSite(t, yaml, { dir, name: 'branch' })
  await stack.root.publish({ name: 'left-pad', version: '1.3.0' })

  const r = await fetchText(child, '/left-pad', { headers: { accept: 'application/json' } })
  t.equal(r.status, 200)
  const doc = JSON.parse(r.body) as { versions: Record<string, unknown>; 'dist-tags': Record<string, string> }
  t.equal(doc['dist-tags'].latest, '1.3.0', 'the root\'s packument, with the version published since')
  const line = (await child.logs.waitFor((l) => l.msg === 'request' && l.path === '/left-pad'))[0]
  t.equal(line?.cache, 'bypass', 'fetched from the root, not the store')
  t.ok(child.logs.lines().some((l) => l.msg === 'npm package no longer in npm.packages: dropped, requests for it go to the root' && l.package === 'left-pad'), 'the drop is logged')

  const repos = child.gw.service<IndexedRepositoryStore>('repositoryStore')!
  const blobs = child.gw.service<FileBlobStore>('blobStore')!
  t.notOk(repos.holds('npm/left-pad'), 'the snapshot is gone')
  for (const id of ids) t.ok(await blobs.has(id), `blob ${id.slice(0, 12)} is kept while younger than the grace`)
  // Past the grace (the collection reads file times), the site's collection removes them.
  const old = (Date.now() - 2 * 60 * 60_000) / 1000
  for (const id of ids) utimesSync(blobs.path(id), old, old)
  await child.gw.service<SyncEngine>('syncEngine')!.collect()
  for (const id of ids) t.notOk(await blobs.has(id), `blob ${id.slice(0, 12)} is removed`)

  const acme = await fetchText(child, '/@acme%2futil', { headers: { accept: 'application/json' } })
  t.equal(acme.status, 200)
  const acmeLine = (await child.logs.waitFor((l) => l.msg === 'request' && l.path === '/@acme/util'))[0]
  t.equal(acmeLine?.cache, 'hit', '@acme/util is still served from the store')
})
