// `fedgate repos add|list` and `fedgate sync`: they talk to the running site's admin API over HTTPS
// (gateway/cli/admin-client.ts), so a sync starts at once in the running process. While a sync runs they
// show its progress per repository (gateway/cli/progress.ts): bars on a terminal, plain lines otherwise.
import { setTimeout as sleep } from 'node:timers/promises'
import { adminClient, type AdminClient } from '../../gateway/cli/admin-client.ts'
import { ProgressView, type RepoProgress } from '../../gateway/cli/progress.ts'
import type { CliCommand } from '../../gateway/plugin-api.ts'

/** How often progress is asked for while a sync runs. */
const POLL_MS = 250

interface StatusRow extends RepoProgress {
  revision: number
  nextTry?: string
}

function printStatus(r: Record<string, unknown>, only?: (name: string) => boolean): void {
  const entries = (r.entries as string[] | undefined) ?? []
  console.log(`synchronized entries: ${entries.join(', ') || '(none)'}`)
  for (const s of (r.repos as StatusRow[] | undefined) ?? []) {
    if (only && !only(s.name)) continue
    const detail =
      s.state === 'syncing' ? `${s.bytesDone}/${s.bytesTotal} bytes` : s.state === 'failing' ? `${s.error} (next try ${s.nextTry})` : s.state === 'in-sync' ? `revision ${s.revision}` : ''
    console.log(`  ${s.name.padEnd(40)} ${s.state.padEnd(8)} ${detail}`)
  }
}

const repos = async (c: AdminClient) => ((await c.call('GET', '/api/v1/admin/repos')).repos as StatusRow[] | undefined) ?? []

/**
 * Shows the progress of `names` (all, when undefined) until `done` settles, then once more with the
 * final states. Asking for progress never fails the command: the sync's own answer decides.
 */
async function watch<T>(c: AdminClient, names: ((name: string) => boolean) | undefined, done: Promise<T>): Promise<T> {
  const view = new ProgressView(process.stdout)
  let finished = false
  const result = done.finally(() => void (finished = true))
  result.catch(() => {})
  while (!finished) {
    const rows = await repos(c).catch(() => undefined)
    if (rows) view.update(rows.filter((r) => !names || names(r.name)))
    await Promise.race([sleep(POLL_MS), result.catch(() => {})])
  }
  const rows = await repos(c).catch(() => undefined)
  if (rows) view.update(rows.filter((r) => !names || names(r.name)))
  return result
}

/** Polls of a pattern that covers nothing before the command stops waiting (the upstream has no such names yet). */
const EMPTY_PATTERN_POLLS = 40

/** Resolves once `name` is in sync or failing (its first sync after an add). */
async function settled(c: AdminClient, name: string): Promise<StatusRow | undefined> {
  for (let polls = 0; ; polls++) {
    const row = (await repos(c)).find((r) => r.name === name)
    if (row && (row.state === 'in-sync' || row.state === 'failing')) return row
    // A pattern (ns/*) has no row of its own: done once nothing it covers is still queued or syncing.
    if (name.endsWith('/*')) {
      const prefix = name.slice(0, -1)
      const covered = (await repos(c)).filter((r) => r.name.startsWith(prefix))
      if (covered.length && covered.every((r) => r.state === 'in-sync' || r.state === 'failing')) return undefined
      if (!covered.length && polls >= EMPTY_PATTERN_POLLS) return undefined
    }
    await sleep(POLL_MS)
  }
}

const selects = (entry: string) => (name: string) => (entry.endsWith('/*') ? name.startsWith(entry.slice(0, -1)) : name === entry)

export const syncCommands: Record<string, CliCommand> = {
  repos: {
    summary: "repos add|list [ns/name|ns/*] --config child.yaml [--key-file f] [--url u] [--no-wait]   synchronize a repository (showing its first sync) / show each one's state",
    async run({ config, argv }) {
      const [verb, ...rest] = argv
      const c = adminClient(config(), rest)
      try {
        if (verb === 'add') {
          const name = c.positionals[0]
          if (!name) throw new Error('usage: fedgate repos add ns/name --config child.yaml')
          const r = await c.call('POST', '/api/v1/admin/repos', { name })
          if (!r.added) return void console.log(`${name} was already synchronized`)
          console.log(`added ${name}: its sync has started`)
          if (!c.wait) return
          const row = await watch(c, selects(name), settled(c, name))
          if (row?.state === 'failing') throw new Error(`${name} is failing: ${row.error ?? 'unknown error'} (the site tries again at ${row.nextTry})`)
          return
        }
        if (verb === 'list') return printStatus(await c.call('GET', '/api/v1/admin/repos'))
        throw new Error('usage: fedgate repos add ns/name | fedgate repos list  (--config child.yaml)')
      } finally {
        await c.close()
      }
    },
  },
  sync: {
    summary: 'sync [ns/name] --config child.yaml [--key-file f] [--no-wait]   synchronize now (all, or one repository), showing progress',
    async run({ config, argv }) {
      const c = adminClient(config(), argv)
      try {
        const name = c.positionals[0]
        if (!c.wait) {
          const r = await c.call('POST', '/api/v1/admin/sync', { ...(name ? { name } : {}), wait: false })
          return void console.log(`sync started: ${(r.started as string[]).join(', ') || '(nothing selected)'}`)
        }
        const r = await watch(c, name ? selects(name) : undefined, c.call('POST', '/api/v1/admin/sync', { ...(name ? { name } : {}), wait: true }))
        printStatus(r, name ? selects(name) : undefined)
        const failing = ((r.repos as StatusRow[]) ?? []).filter((s) => s.state === 'failing' && (!name || s.name === name))
        if (failing.length) throw new Error(`${failing.length} repositor${failing.length === 1 ? 'y is' : 'ies are'} failing`)
      } finally {
        await c.close()
      }
    },
  },
}
