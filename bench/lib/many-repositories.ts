// Startup with many repositories: seeds N repositories (default 10,000) into a root's embedded index,
// then times `fedgate start` (compiled, its own process) until one of them answers.
// Target: ready in under 2 s.
import { Readable } from 'node:stream'
import { readFileSync, writeFileSync } from 'node:fs'
import { benchDir } from './site.ts'
import { COMPILED_MAIN, fedgateCompiled, startTimed } from './compiled.ts'
import { FileBlobStore } from '../../plugins/hub/store/blob-store.ts'
import { IndexStore } from '../../plugins/hub/store/index.ts'
import { createHash } from 'node:crypto'
import { join } from 'node:path'

const REPOS = Number(process.env.FEDGATE_BENCH_REPOS ?? 10_000)

export async function manyRepositories(): Promise<void> {
  const tmp = benchDir()
  const yaml = `site: { name: root, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs, watch: false }\nhub: { readsNeedKey: false }\n`
  try {
    const storeDir = join(tmp.dir, '.fedgate', 'root', 'store')
    const blobs = await new FileBlobStore(storeDir).open()
    const bytes = Buffer.from('one image shared by every repository')
    const id = createHash('sha256').update(bytes).digest('hex')
    await blobs.write(id, Readable.from([bytes]))
    // Seeded in batches straight into the index (the layout commit() writes), so seeding takes seconds.
    const index = await IndexStore.open('embedded', { dir: storeDir, prefix: '' })
    const at = new Date().toISOString()
    let rev = 0
    let prev: number | undefined
    for (let start = 0; start < REPOS; start += 1000) {
      const entries: [string, unknown][] = []
      for (let i = start; i < Math.min(REPOS, start + 1000); i++) {
        rev++
        const name = `ns${i % 100}/repo${i}`
        entries.push([`log/${String(rev).padStart(12, '0')}`, { rev, repo: name, op: 'tag', tag: 'latest', image: { id, size: bytes.length, createdAt: at }, at }])
        entries.push([`repo/${name}`, { name, revision: rev, tags: { latest: id }, images: { [id]: { id, size: bytes.length, createdAt: at } } }])
      }
      entries.push(['rev', rev])
      await index.compareAndSet('rev', prev, entries)
      prev = rev
    }
    await index.close()

    // Certificates made beforehand (seconds of RSA key generation): the start is what counts.
    writeFileSync(join(tmp.dir, 'root.yaml'), yaml)
    fedgateCompiled(['certs', '--config', 'root.yaml'], tmp.dir)
    const ca = readFileSync(join(tmp.dir, 'certs', 'ca.crt'), 'utf8')
    const site = await startTimed([COMPILED_MAIN, 'start', '--config', 'root.yaml'], { cwd: tmp.dir, ca, path: `/api/v1/repos/ns7/repo${REPOS - 93}` })
    const rss = site.rss()
    await site.stop()
    console.log(`| repositories | start → first answer (one of them) | its CPU until then | RSS then |\n| ---: | ---: | ---: | ---: |\n| ${REPOS.toLocaleString('en-US')} | ${site.firstAnswerMs.toFixed(0)} ms | ${site.firstAnswerCpuMs.toFixed(0)} ms | ${(rss / 2 ** 20).toFixed(1)} MiB |`)
    console.log(site.firstAnswerMs < 2000 ? 'target met: ready in under 2 s' : 'TARGET MISSED: ready took 2 s or more')
  } finally {
    tmp.remove()
  }
}
