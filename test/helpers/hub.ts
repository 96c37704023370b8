// A root site with its hub store, keys of each scope, and a publish helper.
import { request } from 'undici'
import type { KeyRing } from '../../plugins/hub/keys.ts'
import { startSite, tempDir, type TestLike, type TestSite } from './sites.ts'

export function rootYaml(name = 'root', extra = ''): string {
  return `site: { name: ${name}, role: root }
listen:
  https: { host: 127.0.0.1, port: 0 }
tls: { dir: certs }
log: { level: info }
${extra}`
}

export interface TestRoot extends TestSite {
  keys: KeyRing
  admin: string
  publish: string
  read: string
}

export async function startRoot(t: TestLike, o: { dir?: string; extra?: string } = {}): Promise<TestRoot> {
  const dir = o.dir ?? tempDir(t)
  const site = await startSite(t, rootYaml('root', o.extra), { dir, name: 'root' })
  const keys = site.gw.service<KeyRing>('keys')!
  const admin = (await keys.create({ name: 'ops', scope: 'admin' })).key
  const publish = (await keys.create({ name: 'ci', scope: 'publish', namespaces: ['acme/*'] })).key
  const read = (await keys.create({ name: 'tokyo', scope: 'read' })).key
  return { ...site, keys, admin, publish, read }
}

/** PUT the bytes as repo:tag with `key`; returns status and parsed body. */
export async function publish(site: TestSite, key: string, repo: string, tag: string, bytes: Buffer | string, headers: Record<string, string> = {}) {
  const res = await request(`${site.url}/api/v1/repos/${repo}/images/${tag}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream', ...headers },
    body: bytes,
    dispatcher: site.agent,
  })
  const text = await res.body.text()
  return { status: res.statusCode, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, text }
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` })
