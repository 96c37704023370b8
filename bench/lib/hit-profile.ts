// A profiling set-up for the 1 KiB cache hit (docs/benchmarks.md, "Where the 1 KiB gap is"): a root site
// serving one published 1 KiB blob (readsNeedKey: false, so the same hub blob path as a child's hit) or
// the bare node server, in this process; autocannon in its own process. Prints req/s and this process's
// CPU per request. NO_REQUEST_LOG=1 turns the site's request log off. Profile with:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/lib/hit-profile.ts [fedgate|bare] [seconds]
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { hitRootYaml, publishHitBlob } from './hit-root.ts'
import { measure } from './load.ts'
import { benchDir, startBenchSite } from './site.ts'
import { startStaticPeer } from './static-peer.ts'

const [which = 'fedgate', seconds = '8'] = process.argv.slice(2)
const tmp = benchDir()
const root = await startBenchSite(hitRootYaml(!process.env.NO_REQUEST_LOG), { dir: tmp.dir, name: 'root' })
try {
  const { path, body } = await publishHitBlob(root)
  const bare = await startStaticPeer(new Map([[path, body]]), { key: readFileSync(join(tmp.dir, 'certs', 'root.key')), cert: readFileSync(join(tmp.dir, 'certs', 'root.crt')) })
  try {
    const c0 = process.cpuUsage()
    const r = await measure({ url: (which === 'bare' ? bare.httpUrl : root.httpUrl!) + path, connections: 50, duration: Number(seconds), warmup: 1 })
    const u = process.cpuUsage(c0)
    console.log(`${which}: ${Math.round(r.rps)} req/s, ${((u.user + u.system) / r.requests).toFixed(1)} µs CPU per request (user ${(u.user / r.requests).toFixed(1)}, system ${(u.system / r.requests).toFixed(1)}; warm-up included)`)
  } finally {
    await bare.close()
  }
} finally {
  await root.close()
  tmp.remove()
}
