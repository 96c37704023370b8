// The failure throttles (admin sign-in, tunnel tokens) counted per exact peer address. An IPv6 client is
// routinely given a whole /64 and may send every attempt from a new address in it, so it was never
// slowed down. IPv6 peers are now counted per /64, IPv4 peers per address, also when a dual-stack
// listener sees them as ::ffff:a.b.c.d.
import t from 'tap'
import fc from 'fast-check'
import { FailureThrottle } from '../gateway/util/failure-throttle.ts'
import { systemClock } from '../gateway/util/clock.ts'
import { holds } from './helpers/fuzz.ts'
import { startSite, tempDir, fetchText } from './helpers/sites.ts'
import { rootYaml } from './helpers/hub.ts'
import { signInHttp, isSession } from './helpers/admin-http.ts'
import type { KeyRing } from '../plugins/hub/keys.ts'

const throttle = (limit: number) => new FailureThrottle({ limit, window: 600_000, maxAddresses: 1000 }, systemClock)
const waits = (th: FailureThrottle, address: string) => th.retryAfter(address) > 0

/** An IPv6 address written one of the ways peers and logs write it. */
function written(groups: number[], form: number): string {
  if (form === 0) return groups.map((g) => g.toString(16).padStart(4, '0')).join(':')
  if (form === 1) return groups.map((g) => g.toString(16).toUpperCase()).join(':')
  return new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]/`).hostname.slice(1, -1)
}

t.test('addresses in one IPv6 /64 are one client; another /64 is another', async (t) => {
  const group = fc.integer({ min: 0, max: 0xffff })
  // Global unicast (2000::/3): never the IPv4-mapped block, which counts per IPv4 address.
  const prefix = fc.tuple(fc.integer({ min: 0x2000, max: 0x3fff }), group, group, group)
  const iid = fc.tuple(group, group, group, group)
  const form = fc.integer({ min: 0, max: 2 })
  await holds(
    t,
    'limit failures from a /64 make its every address wait, and no address of another /64',
    fc.property(prefix, iid, iid, iid, form, form, form, fc.integer({ min: 0, max: 63 }), (p, a, b, c, fa, fb, fc2, bit) => {
      const th = throttle(2)
      th.attempt(written([...p, ...a], fa))
      th.failed(written([...p, ...b], fb))
      const other = [...p]
      other[bit >> 4] = other[bit >> 4]! ^ (1 << (bit & 15))
      return waits(th, written([...p, ...c], fc2)) && !waits(th, written([...other, ...a], fa))
    }),
    300,
  )
})

t.test('IPv4 peers count per address, however the listener writes them', async (t) => {
  const th = throttle(2)
  th.failed('10.0.0.1')
  th.failed('::ffff:10.0.0.1')
  t.ok(waits(th, '10.0.0.1') && waits(th, '::ffff:10.0.0.1') && waits(th, '::ffff:a00:1'), 'one client, written three ways')
  t.notOk(waits(th, '10.0.0.2') || waits(th, '::ffff:10.0.0.2'), 'the next address is another client')
  t.same(th.throttled().map((x) => x.address), ['10.0.0.1'], 'shown as the IPv4 address')
  const v6 = throttle(1)
  v6.failed('2001:db8:1:2::7')
  t.same(v6.throttled().map((x) => x.address), ['2001:db8:1:2::/64'], 'an IPv6 client shown as its /64')
})

t.test('the admin sign-in throttle holds for a client on ::1', async (t) => {
  const site = await startSite(t, rootYaml('root', 'admin: { signInFailures: { limit: 2, window: 10m } }\n').replace('host: 127.0.0.1', "host: '::1'"), { dir: tempDir(t), clock: t.clock })
  site.url = `https://[::1]:${site.gw.httpsPort}`
  const key = (await site.gw.service<KeyRing>('keys')!.create({ name: 'ops', scope: 'admin' })).key
  const wrong = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA')
  const statuses: number[] = []
  for (let i = 0; i < 3; i++) {
    const s = await signInHttp(site, wrong)
    statuses.push(isSession(s) ? 303 : s.status)
  }
  t.same(statuses, [401, 401, 429], 'refused, then slowed down')
  const right = await fetchText(site, '/admin/sign-in', { method: 'POST', body: new URLSearchParams({ key }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', origin: site.url } })
  t.equal(right.status, 429, 'the right key waits too')
})
