// A root may send header values that are not ASCII (a UTF-8 file name, a title). The gateway passes
// their bytes as they came (the forward path reads the root's raw head and writes it latin1 both ways);
// decoding them as UTF-8 on the way in would mangle them, or make Node refuse the answer (a character
// above U+00FF). A field sent twice arrives twice.
import t from 'tap'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'

const TITLE = 'café ✓ 日本'

t.test('non-ASCII header bytes from the root reach the client unchanged, repeated fields kept', async (t) => {
  const origin = await startOrigin(t, (_req, res) => {
    // Node writes header strings as latin1 when the body is a Buffer (a string body is written with the
    // head, both as UTF-8): this puts TITLE's UTF-8 bytes on the wire.
    res.writeHead(200, [
      ['content-type', 'text/plain'],
      ['x-title', Buffer.from(TITLE).toString('latin1')],
      ['x-twice', 'one'],
      ['x-twice', 'two'],
    ].flat())
    res.end(Buffer.from('ok'))
  })
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_bytes_' + 'b'.repeat(30))
  const site = await startSite(t, childYaml('bytes', origin.url, '  health: { interval: 1h }\n'), { dir })
  const res = await fetchText(site, '/api/v1/anything')
  t.equal(res.status, 200, 'the answer is passed on')
  t.equal(res.body, 'ok')
  // undici decodes header values as latin1, a character per byte: back to bytes, they must be TITLE's.
  t.equal(Buffer.from(String(res.headers['x-title']), 'latin1').toString('hex'), Buffer.from(TITLE).toString('hex'), 'the UTF-8 bytes arrive as the root sent them')
  t.same(res.headers['x-twice'], ['one', 'two'], 'a field sent twice arrives twice, in order')
})
