// `fedgate status --config site.yaml`: one screen about a running site, from its /health detail (an
// admin key) and, at a child, its repositories' states: the root and its circuit, repositories by
// state (the failing ones named), the sync leader, npm packages, the forward cache, tunnels, and links
// where the site has them.
import type { CliCommand } from '../plugin-api.ts'
import { adminClient } from './admin-client.ts'
import { bytes } from './progress.ts'

type Health = Record<string, any>
const STATES = ['in-sync', 'syncing', 'queued', 'failing'] as const
/** Rows of failing repositories shown; the rest are counted (one screen). */
const MAX_FAILING = 8

export const statusCommand: CliCommand = {
  summary: 'status --config site.yaml [--key-file f] [--url u]   one-screen summary of the running site',
  async run({ config, argv }) {
    const c = adminClient(config(), argv)
    try {
      const h = (await c.call('GET', '/health')) as Health
      if (!h.site) throw new Error(`${c.url}/health showed no detail: the key given is not this site's admin key`)
      // The federation status, which any process of the site answers with the sync leader's.
      const failing = h.sync ? (((await c.call('GET', '/api/v1/federation/status').catch((): Health => ({}))).repos as Health[] | undefined) ?? []).filter((r) => r.state === 'failing') : []
      console.log(statusText(h, c.url, failing, Date.now()))
    } finally {
      await c.close()
    }
  },
}

export function statusText(h: Health, url: string, failing: Health[], now: number): string {
  const out: string[] = []
  const row = (label: string, text: string) => out.push(`${label.padEnd(12)}${text}`)
  out.push(`site ${h.site} (${h.role}) at ${url}: ${h.status}, up ${ago(now, h.startedAt)}`)
  if (h.root) {
    row('root', `${h.root.url}  ${h.root.state} since ${h.root.since} (${ago(now, h.root.since)} ago)`)
    row('circuit', `${h.root.circuit ?? '?'}${h.root.lastError ? `  last error: ${h.root.lastError}` : ''}`)
  } else row('root', 'none (this site is a root)')
  if (h.hub) row('store', `${h.hub.repositories} repositories served, ${h.hub.blobs ?? '?'} blobs, ${bytes(h.hub.bytes ?? 0)}${h.hub.stream ? `; ${h.hub.stream.subscribers} stream subscribers` : ''}`)
  if (h.sync) {
    row('repos', `${STATES.map((s) => `${h.sync[s] ?? 0} ${s}`).join(', ')}  (${h.sync.entries} entries; change stream ${h.sync.stream?.state ?? 'off'}; ${bytes(h.sync.bytesReceived ?? 0)} received)`)
    for (const f of failing.slice(0, MAX_FAILING)) out.push(`${''.padEnd(14)}failing: ${f.name}: ${f.error ?? '?'} (next try ${f.nextTry ?? '?'})`)
    if (failing.length > MAX_FAILING) out.push(`${''.padEnd(14)}… and ${failing.length - MAX_FAILING} more failing (fedgate repos list)`)
    if (h.sync.lease) row('leader', leaderText(h.sync.leader, h.sync.lease))
  }
  if (h.npm) row('npm', `${h.npm.packages} packages: ${STATES.map((s) => `${h.npm[s] ?? 0} ${s}`).join(', ')}`)
  const cache = h.forward?.cache
  if (cache) row('cache', `${cache.entries} entries, ${bytes(cache.bytes)} of ${bytes(cache.maxBytes)} on disk; ${cache.hit} hits, ${cache.miss} misses, ${cache.revalidated} revalidated, ${cache.stale} stale served`)
  const tunnels = (h.tunnel?.tunnels as Health[] | undefined) ?? []
  if (tunnels.length === 0) row('tunnels', 'none')
  for (const [i, t] of tunnels.entries()) {
    const refused = Object.values((t.refused ?? {}) as Record<string, number>).reduce((a, b) => a + b, 0)
    row(i === 0 ? 'tunnels' : '', `${t.path}: ${t.open} open, ${t.opened} opened, ${refused} refused (${t.refused?.throttled ?? 0} throttled)`)
  }
  // Links (two-way federation, the federation plugin's) show once the site has them: each with its
  // state and the age of its last exchange, and while failing why, since when and the next try.
  const links = h.federation?.links as Health[] | undefined
  if (Array.isArray(links)) {
    if (links.length === 0) row('links', 'none')
    for (const [i, l] of links.entries()) {
      row(i === 0 ? 'links' : '', `${l.name ?? '?'} (${[l.direction, l.mode].filter(Boolean).join(', ')}): ${l.state ?? '?'}, last exchange ${l.lastExchange ? `${ago(now, l.lastExchange)} ago` : 'never'}`)
      if (l.failing) out.push(`${''.padEnd(14)}failing since ${ago(now, l.failing.since)}: ${l.failing.reason ?? '?'}${l.failing.nextTry ? ` (next try ${l.failing.nextTry})` : ''}`)
      if (l.stale) out.push(`${''.padEnd(14)}not heard from for ${ago(now, l.stale.since)}, though it exchanges every ${Math.round((l.stale.interval ?? 0) / 1000)}s`)
    }
  }
  const aside = h.federation?.ownershipConflicts as Health[] | undefined
  if (Array.isArray(aside) && aside.length > 0) row('set aside', `${aside.length} values published here before another site's claim (fedgate links status): ${aside.slice(0, 3).map((a) => `${a.repo}:${a.tag}`).join(', ')}${aside.length > 3 ? ', …' : ''}`)
  return out.join('\n')
}

/** Which process of the site syncs: the one that answered (`--url` reaches one worker or node), or another. */
function leaderText(leading: boolean, lease: Health): string {
  const until = lease.until ? ` (lease until ${lease.until})` : ''
  if (leading) return `this process leads the sync${until}`
  return lease.holder ? `${lease.holder} leads the sync${until}; this process (${lease.self}) follows` : `unknown: the lease cannot be read; this process (${lease.self}) follows`
}

function ago(now: number, iso: string | undefined): string {
  if (!iso) return '?'
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  if (s < 120) return `${s}s`
  if (s < 7200) return `${Math.floor(s / 60)}m`
  if (s < 172_800) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
  return `${Math.floor(s / 86_400)}d`
}
