// The root both 1 KiB profiling set-ups serve from (hit-profile.ts, instructions.ts): HTTPS and plain
// HTTP, `readsNeedKey: false` so a blob read takes a child's hit path, and one published 1 KiB blob.
import { Agent, request } from 'undici'
import type { KeyRing } from '../../plugins/hub/keys.ts'
import type { BenchSite } from './site.ts'

/**
 * `repeat: false` turns hot answers off, so every hit takes the whole lifecycle (docs/lifecycle.md);
 * `metrics: false` turns /metrics off, and with it the count each request makes for it.
 */
export function hitRootYaml(requestLog: boolean, o: { repeat?: boolean; metrics?: boolean } = {}): string {
  return `site: { name: root, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\n  http: { host: 127.0.0.1, port: 0, redirectToHttps: false }\ntls: { dir: certs, watch: false }\nlog: { level: info${requestLog ? '' : ', requests: false'} }\nhub: { readsNeedKey: false }\n${o.repeat === false ? 'hotAnswers: { bytes: 0 }\n' : ''}${o.metrics === false ? 'metrics: { enabled: false }\n' : ''}`
}

/** Publishes 1 KiB through `root`'s PUT endpoint; returns the blob's path and bytes. */
export async function publishHitBlob(root: BenchSite): Promise<{ path: string; body: Buffer }> {
  const agent = new Agent({ connect: { rejectUnauthorized: false } })
  try {
    const key = (await root.gw.service<KeyRing>('keys')!.create({ name: 'bench', scope: 'publish', namespaces: ['*'] })).key
    const body = Buffer.from('x'.repeat(1024))
    const res = await request(`${root.httpsUrl}/api/v1/repos/bench/hit/images/1`, { method: 'PUT', body, headers: { authorization: `Bearer ${key}` }, dispatcher: agent })
    if (res.statusCode !== 201) throw new Error(`publish: ${res.statusCode}`)
    return { path: `/api/v1/blobs/sha256:${((await res.body.json()) as { id: string }).id}`, body }
  } finally {
    await agent.close()
  }
}
