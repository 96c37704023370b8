// The least a Node client must do to synchronize blobs, as floors for the sync bench: fetch them over
// the same TLS, 4 at a time through undici, and either sha256 every byte and check it, keeping nothing,
// or (--store DIR) hand each body to fedgate's own FileBlobStore.write (hash, write, fsync, rename) with
// no sync engine and no index. Its own process, like curl and the child. Prints {"ms": …} on stdout.
//   node --import tsx bench/lib/hash-fetch.ts [--store DIR] <ca file> <key file> <blob url>…
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Agent, request } from 'undici'
import { FileBlobStore } from '../../plugins/hub/store/blob-store.ts'

const args = process.argv.slice(2)
const store = args[0] === '--store' ? await new FileBlobStore(args.splice(0, 2)[1]!).open() : undefined
const [caFile, keyFile, ...urls] = args
const dispatcher = new Agent({ connect: { ca: readFileSync(caFile!, 'utf8') }, connections: 4 })
const authorization = `Bearer ${readFileSync(keyFile!, 'utf8').trim()}`
let next = 0
const t0 = performance.now()
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (next < urls.length) {
      const url = urls[next++]!
      const id = url.slice(url.lastIndexOf(':') + 1)
      const res = await request(url, { headers: { authorization }, dispatcher })
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`)
      if (store) {
        await store.write(id, res.body, { expectedSize: Number(res.headers['content-length']) })
        continue
      }
      const hash = createHash('sha256')
      for await (const chunk of res.body) hash.update(chunk as Buffer)
      if (hash.digest('hex') !== id) throw new Error(`${url}: digest mismatch`)
    }
  }),
)
console.log(JSON.stringify({ ms: performance.now() - t0 }))
await dispatcher.close()
