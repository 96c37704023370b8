// A site that declares `site.owns` accepts publishes to what it owns and serves them from its own store;
// a publish or a tag delete to anything else is refused with 409 (GW_ERR_NOT_OWNER) and changes nothing.
import t from 'tap'
import { KeyRing } from '../plugins/hub/keys.ts'
import { childYaml, fetchText, startSite, tempDir, writeSecret } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'

t.test('publish is accepted only at the site that owns the namespace', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, { dir })
  writeSecret(dir, 'root.key', root.read)
  const london = await startSite(t, childYaml('london', root.url, '', 'owns: [london/*]'), { dir, name: 'london' })
  const key = (await london.gw.service<KeyRing>('keys')!.create({ name: 'ci', scope: 'publish', namespaces: ['*'] })).key

  const ok = await publish(london, key, 'london/app', '1.0', 'made in london')
  t.equal(ok.status, 201, ok.text)
  const read = await fetchText(london, '/api/v1/repos/london/app/images/1.0/content', { headers: bearer(key) })
  t.equal(read.body, 'made in london', 'served from london\'s own store')

  const refused = await publish(london, key, 'acme/app', '1.0', 'not london\'s')
  t.equal(refused.status, 409, refused.text)
  t.equal((refused.body.error as { code: string }).code, 'GW_ERR_NOT_OWNER')
  t.match(refused.text, /london does not own acme\/app/)
  t.equal((await fetchText(london, '/api/v1/repos/london/app/tags/1.0', { method: 'DELETE', headers: bearer(key) })).status, 204, 'a delete where owned')
  const del = await fetchText(london, '/api/v1/repos/acme/app/tags/1.0', { method: 'DELETE', headers: bearer(key) })
  t.equal(del.status, 409, 'a delete elsewhere is refused too')
  t.equal((await fetchText(root, '/api/v1/repos/acme/app', { headers: bearer(root.read) })).status, 404, 'nothing reached the root')
})
