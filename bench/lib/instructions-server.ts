// Started under valgrind by bench/instructions.ts: a fedgate root (from the folder that bench prepared) or
// the bare server, on plain HTTP; prints `ready <url>` once it listens.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startBenchSite } from './site.ts'
import { startStaticPeer } from './static-peer.ts'

const [which, dir, path] = process.argv.slice(2) as [string, string, string]
// callgrind_control's requests are seen only while the process runs: keep its loop waking up.
setInterval(() => {}, 20)
if (which === 'bare') {
  const tls = { key: readFileSync(join(dir, 'certs', 'root.key')), cert: readFileSync(join(dir, 'certs', 'root.crt')) }
  const peer = await startStaticPeer(new Map([[path, readFileSync(join(dir, 'body.bin'))]]), tls)
  console.log(`ready ${peer.httpUrl}`)
} else {
  const site = await startBenchSite(readFileSync(join(dir, `${which}.yaml`), 'utf8'), { dir, name: which })
  console.log(`ready ${site.httpUrl}`)
}
