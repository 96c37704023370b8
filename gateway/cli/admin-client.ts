// How a command reaches a running site's admin API over HTTPS: the URL from the site's YAML (listen.https)
// unless --url says otherwise, the local CA from tls.dir, an admin key from --key-file or FEDGATE_ADMIN_KEY.
// The key only ever goes in the Authorization header; it is never printed.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Agent } from 'undici'
import type { SiteConfig } from '../config/load.ts'

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  url: { type: 'string' },
  'key-file': { type: 'string' },
  'no-wait': { type: 'boolean' },
} as const

export interface AdminClient {
  readonly url: string
  readonly positionals: string[]
  /** False with --no-wait. */
  readonly wait: boolean
  call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>>
  close(): Promise<void>
}

export function adminClient(config: SiteConfig, argv: string[]): AdminClient {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
  const keyFile = values['key-file']
  const key = (keyFile ? readFileSync(keyFile, 'utf8') : process.env.FEDGATE_ADMIN_KEY ?? '').trim()
  if (!key) throw new Error('an admin key is needed: --key-file ./admin.key or FEDGATE_ADMIN_KEY (create one with `fedgate keys create --scope admin`)')
  const host = config.listen.https.host === '0.0.0.0' || config.listen.https.host === '::' ? '127.0.0.1' : config.listen.https.host
  const url = (values.url ?? `https://${host}:${config.listen.https.port}`).replace(/\/+$/, '')
  const caFile = join(config.tls.dir, 'ca.crt')
  const connect = existsSync(caFile) ? { ca: readFileSync(caFile, 'utf8') } : {}
  const callOnce = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> => {
    // A connection of its own each time: with workers, each new connection reaches the next worker.
    const agent = new Agent({ connect })
    try {
      const target = new URL(url + path)
      const res = await agent.request({
        origin: target.origin,
        path: target.pathname + target.search,
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const json = (await res.body.json().catch(() => ({}))) as Record<string, unknown>
      if (res.statusCode >= 400) {
        const e = json.error as { code?: string; message?: string } | undefined
        throw new Error(`${url}${path}: ${res.statusCode} ${e?.code ?? ''} ${e?.message ?? ''}`.trim())
      }
      return json
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code === 'ECONNREFUSED') throw new Error(`nothing answers at ${url}: is the site running? (or pass --url)`)
      throw err
    } finally {
      await agent.close()
    }
  }
  return {
    url,
    positionals,
    wait: !values['no-wait'],
    /**
     * With `workers` only the sync leader runs syncs: a call another worker refuses
     * (GW_ERR_NOT_SYNC_LEADER) is tried again on a new connection, a few times.
     */
    async call(method, path, body) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await callOnce(method, path, body)
        } catch (err) {
          if (!(err instanceof Error && err.message.includes('GW_ERR_NOT_SYNC_LEADER')) || attempt >= 16) throw err
        }
      }
    },
    close: async () => {},
  }
}
