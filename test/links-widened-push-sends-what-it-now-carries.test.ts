// A push link resumes from the peer's place in our log, which said nothing of the patterns it was sent
// under: widening the link's repositories never sent what the new patterns cover and was already
// published (tools/x:1.0 stayed missing at tokyo for good). The scope of the last upload is kept; a wider
// one sends the log again from the start, and the peer applies only what it lacks.
import t from 'tap'
import { fetchText, startSite, tempDir } from './helpers/sites.ts'
import { publish } from './helpers/hub.ts'
import { linkedYaml, startLinked } from './helpers/links.ts'
import { waitFor } from './helpers/sync.ts'
import type { KeyRing } from '../plugins/hub/keys.ts'
import type { LinkEngine } from '../plugins/federation/link-engine.ts'

t.test('a push link widened to more repositories sends what they already held', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['london/*', 'tools/*'], mode: 'push' })).token
  const runLondon = async (repositories: string[]) => {
    const stops: (() => unknown)[] = []
    const site = await startSite({ teardown: (fn: () => unknown) => void stops.unshift(fn) }, linkedYaml('london', { dir, owns: ['london/*', 'tools/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'push', repositories }] }), { dir, name: 'london' })
    const stop = async () => {
      for (const fn of stops.splice(0)) await fn()
    }
    t.teardown(stop)
    const key = (await site.gw.service<KeyRing>('keys')!.create({ name: `ci-${repositories.length}`, scope: 'publish', namespaces: ['*'] })).key
    return { site, key, stop, engine: site.gw.service<Map<string, LinkEngine>>('linkEngines')!.get('london')! }
  }
  const at = async (repo: string) => (await fetchText(tokyo, `/api/v1/repos/${repo}/images/1.0/content`)).body

  let london = await runLondon(['london/*'])
  t.equal((await publish(london.site, london.key, 'tools/x', '1.0', 'tools-1')).status, 201)
  t.equal((await publish(london.site, london.key, 'london/app', '1.0', 'london-1')).status, 201)
  await london.engine.exchange()
  t.equal(await at('london/app'), 'london-1', 'london/app pushed')
  t.not(await at('tools/x'), 'tools-1', 'tools/x not pushed: the link does not carry it yet')
  await london.stop()

  london = await runLondon(['london/*', 'tools/*'])
  await london.engine.exchange()
  await waitFor('tools/x at tokyo', async () => (await at('tools/x')) === 'tools-1')
  t.equal(await at('tools/x'), 'tools-1', 'widened, the link sends tools/x:1.0, published before')
  t.equal(await at('london/app'), 'london-1', 'and london/app is as it was')
})
