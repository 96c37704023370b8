// The least a Node client must do to synchronize blobs, as a floor for the sync bench: fetch them over
// the same TLS, 4 at a time through undici, sha256 every byte and check it, keep nothing (no disk, no
// index). Its own process, like curl and the child. Prints {"ms": …} on stdout.
//   node --import tsx bench/lib/hash-fetch.ts <ca file> <key file> <blob url>…
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Agent, request } from 'undici'

const [caFile, keyFile, ...urls] = process.argv.slice(2)
const dispatcher = new Agent({ connect: { ca: readFileSync(caFile!, 'utf8') }, connections: 4 })
const authorization = `Bearer ${readFileSync(keyFile!, 'utf8').trim()}`
let next = 0
const t0 = performance.now()
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (next < urls.length) {
      const url = urls[next++]!
      const res = await request(url, { headers: { authorization }, dispatcher })
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`)
      const hash = createHash('sha256')
      for await (const chunk of res.body) hash.update(chunk as Buffer)
      if (`sha256:${hash.digest('hex')}` !== url.slice(url.lastIndexOf('/') + 1)) throw new Error(`${url}: digest mismatch`)
    }
  }),
)
console.log(JSON.stringify({ ms: performance.now() - t0 }))
await dispatcher.close()
