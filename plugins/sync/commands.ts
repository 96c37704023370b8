// `fedgate repos add|list` and `fedgate sync`: they talk to the running site's admin API over HTTPS
// (so a sync starts at once in the running process), with an admin key from --key-file or
// FEDGATE_ADMIN_KEY. The site's URL comes from its YAML (listen.https) unless --url says otherwise.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Agent, request } from 'undici'
import type { SiteConfig } from '../../gateway/config/load.ts'
import type { CliCommand } from '../../gateway/plugin-api.ts'

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  url: { type: 'string' },
  'key-file': { type: 'string' },
  'no-wait': { type: 'boolean' },
} as const

interface AdminTarget {
  url: string
  key: string
  /** A new connection pool: each try of a call gets its own connection (workers: see call). */
  agent: () => Agent
}

function target(config: SiteConfig, argv: string[]): { t: AdminTarget; positionals: string[]; wait: boolean } {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
  const keyFile = values['key-file']
  const key = (keyFile ? readFileSync(keyFile, 'utf8') : process.env.FEDGATE_ADMIN_KEY ?? '').trim()
  if (!key) throw new Error('an admin key is needed: --key-file ./admin.key or FEDGATE_ADMIN_KEY (create one with `fedgate keys create --scope admin`)')
  const host = config.listen.https.host === '0.0.0.0' || config.listen.https.host === '::' ? '127.0.0.1' : config.listen.https.host
  const url = (values.url ?? `https://${host}:${config.listen.https.port}`).replace(/\/+$/, '')
  const caFile = join(config.tls.dir, 'ca.crt')
  const connect = existsSync(caFile) ? { ca: readFileSync(caFile, 'utf8') } : {}
  return { t: { url, key, agent: () => new Agent({ connect }) }, positionals, wait: !values['no-wait'] }
}

/**
 * With `workers`, each new connection reaches one worker in turn and only the sync leader runs syncs:
 * a call another worker refuses (GW_ERR_NOT_SYNC_LEADER) is tried again on a new connection, a few times.
 */
async function call(t: AdminTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await callOnce(t, method, path, body)
    } catch (err) {
      if (!(err instanceof Error && err.message.includes('GW_ERR_NOT_SYNC_LEADER')) || attempt >= 16) throw err
    }
  }
}

async function callOnce(t: AdminTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
  const agent = t.agent()
  try {
    const res = await request(t.url + path, {
      method,
      dispatcher: agent,
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const json = (await res.body.json().catch(() => ({}))) as Record<string, unknown>
    if (res.statusCode >= 400) {
      const e = json.error as { code?: string; message?: string } | undefined
      throw new Error(`${t.url}${path}: ${res.statusCode} ${e?.code ?? ''} ${e?.message ?? ''}`.trim())
    }
    return json
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'ECONNREFUSED') throw new Error(`nothing answers at ${t.url}: is the site running? (or pass --url)`)
    throw err
  } finally {
    await agent.close()
  }
}

interface StatusRow {
  name: string
  state: string
  revision: number
  bytesDone: number
  bytesTotal: number
  error?: string
  nextTry?: string
}

function printStatus(r: Record<string, unknown>): void {
  const entries = (r.entries as string[] | undefined) ?? []
  console.log(`synchronized entries: ${entries.join(', ') || '(none)'}`)
  for (const s of (r.repos as StatusRow[] | undefined) ?? []) {
    const detail =
      s.state === 'syncing' ? `${s.bytesDone}/${s.bytesTotal} bytes` : s.state === 'failing' ? `${s.error} (next try ${s.nextTry})` : s.state === 'in-sync' ? `revision ${s.revision}` : ''
    console.log(`  ${s.name.padEnd(40)} ${s.state.padEnd(8)} ${detail}`)
  }
}

export const syncCommands: Record<string, CliCommand> = {
  repos: {
    summary: 'repos add|list [ns/name|ns/*] --config child.yaml [--key-file f] [--url u]   synchronize a repository / show each one\'s state',
    async run({ config, argv }) {
      const [verb, ...rest] = argv
      const { t, positionals } = target(config(), rest)
      if (verb === 'add') {
        const name = positionals[0]
        if (!name) throw new Error('usage: fedgate repos add ns/name --config child.yaml')
        const r = await call(t, 'POST', '/api/v1/admin/repos', { name })
        console.log(r.added ? `added ${name}: its sync has started` : `${name} was already synchronized`)
        return
      }
      if (verb === 'list') return printStatus(await call(t, 'GET', '/api/v1/admin/repos'))
      throw new Error('usage: fedgate repos add ns/name | fedgate repos list  (--config child.yaml)')
    },
  },
  sync: {
    summary: 'sync [ns/name] --config child.yaml [--key-file f] [--no-wait]   synchronize now (all, or one repository)',
    async run({ config, argv }) {
      const { t, positionals, wait } = target(config(), argv)
      const name = positionals[0]
      const r = await call(t, 'POST', '/api/v1/admin/sync', { ...(name ? { name } : {}), wait })
      if (!wait) return void console.log(`sync started: ${(r.started as string[]).join(', ') || '(nothing selected)'}`)
      printStatus(r)
      const failing = ((r.repos as StatusRow[]) ?? []).filter((s) => s.state === 'failing' && (!name || s.name === name))
      if (failing.length) throw new Error(`${failing.length} repositor${failing.length === 1 ? 'y is' : 'ies are'} failing`)
    },
  },
}
