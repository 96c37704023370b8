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
