// A tunnel's HELLO budget keeps one address from holding every place of CLASP callers still to send
// their HELLO (helloBudget.perAddress). Per exact address, an IPv6 client, which has a whole /64, took
// every place with a few of its addresses. It is counted per /64 now, an IPv4 client per address.
import t from 'tap'
import { HelloBudget } from '../plugins/tunnel/hello-budget.ts'

t.test('addresses of one IPv6 /64 share one per-address bound', async (t) => {
  const budget = new HelloBudget({ max: 100, perAddress: 2 })
  const a = budget.take('2001:db8:7:8::1')
  const b = budget.take('2001:db8:7:8:aaaa::2')
  t.ok(typeof a === 'object' && typeof b === 'object', 'two places for the /64')
  t.equal(budget.take('2001:db8:7:8:ffff:ffff:ffff:ffff'), 'address', 'a third address of the /64 is refused')
  t.type(budget.take('2001:db8:7:9::1'), 'object', 'the next /64 is another client')
  if (typeof a === 'object') a.release()
  t.type(budget.take('2001:db8:7:8::3'), 'object', 'a released place is the /64\'s again')

  budget.take('10.0.0.1')
  budget.take('::ffff:10.0.0.1')
  t.equal(budget.take('10.0.0.1'), 'address', 'an IPv4 client written two ways is one')
  t.type(budget.take('10.0.0.2'), 'object', 'the next IPv4 address is another client')
})
