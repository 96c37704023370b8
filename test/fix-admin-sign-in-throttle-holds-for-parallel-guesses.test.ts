// The sign-in throttle allows `limit` refused sign-ins per address and window. It was checked before the
// body was read and counted only once the key was refused, so guesses sent side by side all passed the
// check before any was counted: an address opening many sign-ins at once had as many guesses as it
// liked. Here each sign-in holds its body until the gateway asks for it (Expect: 100-continue, sent only
// once the throttle let it through), so every request has passed the check before any key is judged.
import t from 'tap'
import { startSite, tempDir } from './helpers/sites.ts'
import { rootYaml } from './helpers/hub.ts'
import { connectTls, readResponse } from './helpers/raw-http.ts'
import type { KeyRing } from '../plugins/hub/keys.ts'

t.test('guesses sent at once still get no more than `limit` answers from the key check', async (t) => {
  const limit = 3
  const site = await startSite(t, rootYaml('root', `admin: { signInFailures: { limit: ${limit}, window: 10m } }\n`), { dir: tempDir(t), clock: t.clock })
  const key = (await site.gw.service<KeyRing>('keys')!.create({ name: 'ops', scope: 'admin' })).key
  const port = Number(new URL(site.url).port)

  const guesses = 8
  const sockets = await Promise.all(Array.from({ length: guesses }, () => connectTls(t, port, site.ca)))
  const bodies = sockets.map((_, i) => new URLSearchParams({ key: key.slice(0, -4) + String(1000 + i) }).toString())
  // All heads first; each answers 100 Continue (it passed the throttle) or its final answer.
  const first = await Promise.all(
    sockets.map((s, i) => {
      s.write(`POST /admin/sign-in HTTP/1.1\r\nHost: ${new URL(site.url).host}\r\nOrigin: ${site.url}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(bodies[i]!)}\r\nExpect: 100-continue\r\n\r\n`)
      return readResponse(s)
    }),
  )
  // Then the bodies of those let through.
  const statuses = await Promise.all(
    first.map(async (r, i) => {
      if (r === 'closed') return 0
      if (r.status !== 100) return r.status
      sockets[i]!.write(bodies[i]!)
      const final = await readResponse(sockets[i]!)
      return final === 'closed' ? 0 : final.status
    }),
  )
  const judged = statuses.filter((s) => s === 401).length
  t.ok(judged <= limit, `at most ${limit} keys judged (${judged}: ${statuses.join(' ')})`)
  t.equal(statuses.filter((s) => s === 429).length, guesses - judged, 'the others wait (429)')
})
