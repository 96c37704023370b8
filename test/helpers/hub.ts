// A root site with its hub store, keys of each scope, and a publish helper.
import type { Clock } from '../../gateway/util/clock.ts'
import { request } from 'undici'
import type { KeyRing } from '../../plugins/hub/keys.ts'
import type { GatewayPlugin } from '../../gateway/plugin-api.ts'
import { fetchText, startSite, tempDir, type TestLike, type TestSite } from './sites.ts'
import { sha256 } from './stores.ts'

/** `http`: the plain-HTTP listener's YAML mapping, when the root has one. */
export function rootYaml(name = 'root', extra = '', http?: string): string {
  return `site: { name: ${name}, role: root }
listen:
  https: { host: 127.0.0.1, port: 0 }
${http ? `  http: ${http}\n` : ''}tls: { dir: certs }
log: { level: info }
${extra}`
}

export interface TestRoot extends TestSite {
  keys: KeyRing
  admin: string
  publish: string
  read: string
}

export async function startRoot(t: TestLike, o: { dir?: string; extra?: string; http?: string; plugins?: readonly GatewayPlugin[]; clock?: Clock } = {}): Promise<TestRoot> {
  const dir = o.dir ?? tempDir(t)
  const site = await startSite(t, rootYaml('root', o.extra, o.http), { dir, name: 'root', plugins: o.plugins, clock: o.clock })
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

/** A root's extra YAML for reads without a key: a blob read takes the path of a child's hit. */
export const KEYLESS_READS = 'hub: { readsNeedKey: false }\n'

/** Publishes `bytes` as repo:tag with the root's publish key (throws unless 201); the blob's path. */
export async function publishBlob(root: TestRoot, repo: string, tag: string, bytes: Buffer): Promise<string> {
  const res = await publish(root, root.publish, repo, tag, bytes)
  if (res.status !== 201) throw new Error(`publish ${repo}:${tag}: ${res.status} ${res.text}`)
  return `/api/v1/blobs/sha256:${sha256(bytes)}`
}

const adminKeys = new WeakMap<TestSite, string>()

/** An admin key of the site's own (a child has its own key ring too), created once per site. */
export async function adminKeyOf(site: TestSite): Promise<string> {
  let key = adminKeys.get(site)
  if (!key) {
    key = (await site.gw.service<KeyRing>('keys')!.create({ name: 'health', scope: 'admin' })).key
    adminKeys.set(site, key)
  }
  return key
}

/** `/health`'s detail, which only an admin key sees. */
export async function healthOf(site: TestSite): Promise<Record<string, any>> {
  const res = await fetchText(site, '/health', { headers: bearer(await adminKeyOf(site)) })
  if (res.status !== 200) throw new Error(`/health with an admin key: ${res.status} ${res.body}`)
  return JSON.parse(res.body)
}

/** `/health`'s hot answers (docs/lifecycle.md, step 1); null when repeating is off. */
export async function hotAnswersOf(site: TestSite): Promise<{ answers: number; bytes: number } | null> {
  return (await healthOf(site)).hotAnswers
}
