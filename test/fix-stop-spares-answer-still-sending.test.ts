// An answer that has ended but whose bytes still wait in the socket (a client reading slowly) counts as
// in flight: a graceful stop waits for it, and the client gets every byte before its connection closes.
// Before the fix, the stop's http.Server.close cut it: since Node 19 that closes every connection Node
// counts idle, and Node counts one idle as soon as its answer has ended. Both ways a blob from memory is
// answered: through the whole lifecycle (hot answers off) and repeated (docs/lifecycle.md, step 1).
import t from 'tap'
import { connectTls } from './helpers/raw-http.ts'
import { fetchText } from './helpers/sites.ts'
import { hotAnswersOf, KEYLESS_READS, publishBlob, startRoot } from './helpers/hub.ts'

for (const hot of ['0', '64MiB']) t.test(`a slow reader gets a whole answer while the site stops (hotAnswers.bytes ${hot})`, async (t) => {
  const root = await startRoot(t, {
    extra: `${KEYLESS_READS}store: { hotBytes: 128MiB, hotBlobMax: 32MiB }\nhotAnswers: { bytes: ${hot} }\nshutdown: { grace: 1m }\n`,
  })
  // Far more than loopback's socket buffers hold, so most of it waits in the gateway.
  const bytes = Buffer.alloc(24 * 1024 * 1024, 'slow reader ')
  const path = await publishBlob(root, 'acme/big', '1.0', bytes)
  t.equal((await fetchText(root, path)).body.length, bytes.length)
  t.same((await hotAnswersOf(root))?.answers, hot === '0' ? undefined : 1, hot === '0' ? 'not offered' : 'offered')

  const socket = await connectTls(t, Number(new URL(root.url).port), root.ca)
  const chunks: Buffer[] = []
  socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`)
  // The first bytes prove the gateway answered; then the client stops reading for a while.
  await new Promise<void>((resolve) =>
    socket.once('data', (chunk: Buffer) => {
      chunks.push(chunk)
      socket.pause()
      resolve()
    }),
  )
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  await new Promise((r) => setTimeout(r, 300))
  let stopped = false
  const stopping = root.gw.close().then(() => (stopped = true))
  await new Promise((r) => setTimeout(r, 300))
  t.notOk(stopped, 'the stop waits for the answer still being sent')
  const closed = new Promise<void>((r) => socket.once('close', () => r()))
  socket.resume()
  await closed
  await stopping

  const all = Buffer.concat(chunks)
  const head = all.indexOf('\r\n\r\n')
  t.match(all.subarray(0, head).toString('latin1'), /^HTTP\/1\.1 200 /)
  const body = all.subarray(head + 4)
  t.equal(body.length, bytes.length, 'every byte arrived')
  t.ok(body.equals(bytes), 'the same bytes')
  const lines = await root.logs.waitFor((l) => l.msg === 'request' && l.path === path, 2)
  t.match(lines.at(-1), { status: 200, route: 'hub', cache: 'hit' }, 'logged once it was sent')
})
