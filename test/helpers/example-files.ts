// The files config.example.yaml names, made in a folder beside a copy of it, so that the copy is a valid
// configuration there: each secret file (`file:./…`, a placeholder secret) and each tls.sni certificate
// pair (a real one: the loader checks that the pair serves). Returns values for the ${VARS} it names.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parse } from 'yaml'
import { ensureCertificates } from '../../gateway/tls/certificates.ts'

export function exampleFiles(dir: string, text: string, tag: string): Record<string, string> {
  for (const m of text.matchAll(/file:(\.\/[\w./-]+)/g)) {
    mkdirSync(dirname(join(dir, m[1]!)), { recursive: true })
    writeFileSync(join(dir, m[1]!), `fgk_${tag}_file_secret_value\n`)
  }
  const sni = ((parse(text) as { tls?: { sni?: { hosts: string[]; cert: string; key: string }[] } }).tls?.sni ?? [])
  for (const s of sni) ensureCertificates({ dir: join(dir, dirname(s.cert)), siteName: 'sni', hosts: s.hosts.filter((h) => !h.startsWith('*.')), cert: join(dir, s.cert), key: join(dir, s.key) })
  return Object.fromEntries([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => [m[1]!, `fgk_${tag}_${m[1]}_value`]))
}
