// Startup with many repositories: seeds N repositories (default 10,000) into a root's embedded index,
// then times startGateway until the first repository answers. Target: ready in under 2 s.
import { barChart, writeChart } from './lib/chart.ts'
import { Readable } from 'node:stream'
import { request, Agent } from 'undici'
import { readFileSync } from 'node:fs'
import type { BenchOptions } from './lib/options.ts'
import { benchDir, startBenchSite } from './lib/site.ts'
import { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import { IndexStore } from '../plugins/hub/store/index.ts'
import { createHash } from 'node:crypto'
import { join } from 'node:path'

const REPOS = Number(process.env.FEDGATE_BENCH_REPOS ?? 10_000)

export async function run(_o: BenchOptions): Promise<void> {
  const tmp = benchDir()
  const yaml = `site: { name: root, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs, watch: false }\nlog: { level: warn }\nhub: { readsNeedKey: false }\n`
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

    // A first start generates the certificates (seconds of RSA key generation); a restart is what counts.
    await (await startBenchSite(yaml, { dir: tmp.dir, name: 'root' })).close()
    const t0 = performance.now()
    const site = await startBenchSite(yaml, { dir: tmp.dir, name: 'root' })
    const agent = new Agent({ connect: { ca: readFileSync(site.gw.caFile, 'utf8') } })
    const res = await request(`${site.httpsUrl}/api/v1/repos/ns7/repo${REPOS - 93}`, { dispatcher: agent })
    await res.body.text()
    const ms = performance.now() - t0
    const rss = process.memoryUsage().rss
    console.log(`| repositories | ready (first answer) | status | RSS |\n| ---: | ---: | ---: | ---: |\n| ${REPOS} | ${ms.toFixed(0)} ms | ${res.statusCode} | ${(rss / 2 ** 20).toFixed(0)} MiB |`)
    console.log(ms < 2000 ? 'target met: ready in under 2 s' : 'TARGET MISSED: ready took 2 s or more')
    writeChart('startup', barChart(`startup: a root with ${REPOS.toLocaleString('en-US')} repositories, until its first answer`, `the 2 s target over the time measured (${ms.toFixed(0)} ms); ${new Date().toISOString().slice(0, 10)}`, [{ label: 'ready: 2 s target / measured', value: 2000 / ms, target: 1 }]))
    await agent.close()
    await site.close()
  } finally {
    tmp.remove()
  }
}
