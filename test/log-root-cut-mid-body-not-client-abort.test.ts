// The request log tells the root failing mid-body from the client leaving: the first keeps the status the
// client got with the error's code beside it; only the second is a plain 499.
import t from 'tap'
import { request } from 'undici'
import { startChildWithOrigin } from './helpers/child-site.ts'

t.test('a root cut mid-body is logged with its error; a client abort stays a plain 499', async (t) => {
  const { site } = await startChildWithOrigin(t, 'midbody', {
    clock: t.clock,
    handler: (req, res) => {
      res.writeHead(200, { 'content-length': '100000' })
      res.write(Buffer.alloc(1000))
      // /cut: the root dies mid-body; /long: it keeps the body coming until the client leaves.
      if (req.url === '/cut') setTimeout(() => res.socket!.destroy(), 50)
      else {
        const tick = setInterval(() => res.write(Buffer.alloc(1000)), 20)
        res.on('close', () => clearInterval(tick))
      }
    },
  })
  const cut = await request(site.url + '/cut', { dispatcher: site.agent })
  t.equal(cut.statusCode, 200)
  await t.rejects(cut.body.arrayBuffer(), 'the client sees its answer cut')
  const [cutLine] = await site.logs.waitFor((l) => l.path === '/cut')
  t.match(cutLine, { status: 200, error: 'GW_ERR_ROOT_BAD_RESPONSE' }, 'logged with the status sent and the error, not as the client leaving')

  const left = await request(site.url + '/long', { dispatcher: site.agent })
  for await (const _chunk of left.body) break // first chunk, then leave
  const [leftLine] = await site.logs.waitFor((l) => l.path === '/long')
  t.equal(leftLine?.status, 499, 'the client leaving: 499')
  t.equal(leftLine?.error, undefined, 'with no error')
})
