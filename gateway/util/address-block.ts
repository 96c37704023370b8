// IP addresses and CIDR blocks from the YAML file (site.trustedProxies), and matching a peer against them.
import { BlockList, isIPv4, isIPv6 } from 'node:net'

/** `10.0.0.0/8`, `127.0.0.1`, `fd00::/8`, `::1`; undefined when it is none of these. */
export function parseAddressBlock(text: string): { address: string; prefix?: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address, bits, extra] = text.split('/')
  if (extra !== undefined || address === undefined) return undefined
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined
  if (family === undefined) return undefined
  if (bits === undefined) return { address, family }
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > (family === 'ipv4' ? 32 : 128)) return undefined
  return { address, prefix: Number(bits), family }
}

/** Does a peer address fall in any of `entries` (already validated by the loader)? */
export function addressMatcher(entries: readonly string[]): (address: string | undefined) => boolean {
  const list = new BlockList()
  for (const e of entries) {
    const b = parseAddressBlock(e)
    if (b === undefined) throw new Error(`${e} is not an IP address or CIDR block`)
    if (b.prefix === undefined) list.addAddress(b.address, b.family)
    else list.addSubnet(b.address, b.prefix, b.family)
  }
  return (address) => {
    if (address === undefined) return false
    // A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d.
    const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
    return isIPv4(v4) ? list.check(v4, 'ipv4') : list.check(address, 'ipv6')
  }
}

/**
 * Who a peer address stands for when its failed attempts are counted: an IPv4 address itself (also
 * written ::ffff:a.b.c.d by a dual-stack listener); an IPv6 address its /64 (`2001:db8:1:2::/64`), since
 * one client is routinely given a whole /64 and may pick any address in it. Anything else, as it is.
 */
export function clientOf(address: string): string {
  if (isIPv4(address)) return address
  const groups = ipv6Groups(address)
  if (groups === undefined) return address
  // ::ffff:0:0/96 (a dual-stack listener's IPv4 peer) and 64:ff9b::/96 (NAT64's): an IPv4 client.
  const head = groups.slice(0, 6).map((g) => g.toString(16)).join(':')
  if (head === '0:0:0:0:0:ffff' || head === '64:ff9b:0:0:0:0') return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.')
  const prefix = [...groups.slice(0, 4), 0, 0, 0, 0].map((g) => g.toString(16)).join(':')
  // The URL parser writes it the canonical way (RFC 5952: lower case, longest zero run as ::).
  return `${new URL(`http://[${prefix}]/`).hostname.slice(1, -1)}/64`
}

/** The eight 16-bit groups of an IPv6 address (a zone, `%eth0`, ignored); undefined when it is not one. */
function ipv6Groups(text: string): number[] | undefined {
  const address = text.split('%')[0]!
  if (!isIPv6(address)) return undefined
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined]
  const parse = (part: string | undefined) =>
    !part
      ? []
      : part.split(':').flatMap((g) => {
          if (!isIPv4(g)) return [parseInt(g, 16)]
          const b = g.split('.').map(Number)
          return [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!]
        })
  const before = parse(head)
  const after = parse(tail)
  return [...before, ...Array<number>(8 - before.length - after.length).fill(0), ...after]
}
