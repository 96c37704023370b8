// A listener whose port was taken failed start with "cannot listen on 127.0.0.1:8080: the port is in use",
// the same words for listen.https and listen.http: with both on one host, the operator had to guess which
// one to move. The error now names the file and the option of the listener that could not bind.
import t from 'tap'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { startSite, tempDir } from './helpers/sites.ts'

async function holdPort(t: { teardown(fn: () => unknown): void }): Promise<number> {
  const holder = net.createServer()
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => holder.close(resolve)))
  return (holder.address() as AddressInfo).port
}

const site = (listen: string) => `site: { name: busy, role: root }\nlisten:\n${listen}\ntls: { dir: certs }\nlog: { level: silent }\n`

t.test('each listener whose port is taken is named with the file', async (t) => {
  const dir = tempDir(t)
  const port = await holdPort(t)
  await t.rejects(
    startSite(t, site(`  https: { host: 127.0.0.1, port: ${port} }`), { dir, name: 'busy' }),
    { message: `busy.yaml: listen.https: cannot listen on 127.0.0.1:${port}: the port is in use` },
    'listen.https',
  )
  await t.rejects(
    startSite(t, site(`  https: { host: 127.0.0.1, port: 0 }\n  http: { host: 127.0.0.1, port: ${port} }`), { dir, name: 'busy' }),
    { message: `busy.yaml: listen.http: cannot listen on 127.0.0.1:${port}: the port is in use` },
    'listen.http',
  )
  await t.rejects(
    startSite(t, site(`  https: { host: 127.0.0.1, port: 0 }`) + `metrics: { listen: { port: ${port} } }\n`, { dir, name: 'busy' }),
    { message: `busy.yaml: metrics.listen: cannot listen on 127.0.0.1:${port}: the port is in use` },
    'metrics.listen',
  )
})
