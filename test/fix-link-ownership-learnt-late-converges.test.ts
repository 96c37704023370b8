// A site that published in a namespace before it learnt, from a link's hello, that another site owns it
// kept its own tag, which the owner never applies: the two served different values for good. Now the
// owner's value wins at both, whichever side of the link learns it, and the site's own value is kept
// aside, not lost: listed as an ownership conflict (repository, tag, digest, when) in its link status
// and /health, its blob still readable with an admin key, so an operator can publish it again where
// the site owns.
import t from 'tap'
import { adminKeyOf, bearer, healthOf, publish } from './helpers/hub.ts'
import { ownerLearntLate, type LinkedSite } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'
import { sha256 } from './helpers/stores.ts'
import pino from 'pino'
import { collectUnreferenced } from '../plugins/hub/store/collect.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import type { IndexedRepositoryStore } from '../plugins/hub/store/repository-store.ts'

const content = async (site: LinkedSite) => (await fetchText(site, '/api/v1/repos/london/app/images/1.0/content')).body

interface Conflict {
  repo: string
  tag: string
  digest: string
  setAsideAt: string
  owner: string
}

// One folder (one set of certificates, made once) for both tests; each its own stores.
const dir = tempDir(t)

for (const londonConnects of [true, false]) {
  t.test(`the owner's tag wins at both sites, tokyo's kept aside (tokyo learns as the ${londonConnects ? 'incoming' : 'outgoing'} side)`, async (t) => {
    const { tokyo, london, enable, exchange } = await ownerLearntLate(t, { dir, londonConnects })
    t.equal((await publish(london, london.publish, 'london/app', '1.0', 'london one')).status, 201)
    // Published after london's: without ownership, the newer value, which tokyo kept and london never applied.
    t.equal((await publish(tokyo, tokyo.publish, 'london/app', '1.0', 'tokyo one')).status, 201, 'tokyo (a root) does not know the owner yet')

    await enable()
    await exchange()
    t.equal(await content(london), 'london one', 'london keeps its own value')
    t.equal(await content(tokyo), 'london one', 'tokyo serves the owner\'s value')

    const conflicts = (await healthOf(tokyo)).federation?.ownershipConflicts as Conflict[]
    t.same(
      conflicts.map((c) => ({ repo: c.repo, tag: c.tag, digest: c.digest, owner: c.owner })),
      ['1.0', 'latest'].map((tag) => ({ repo: 'london/app', tag, digest: `sha256:${sha256('tokyo one')}`, owner: 'london' })),
      'tokyo lists its own values as set aside for the owner\'s',
    )
    t.ok(conflicts.every((c) => !Number.isNaN(Date.parse(c.setAsideAt))), 'with when')
    const status = await fetchText(tokyo, '/api/v1/federation/links/status', { headers: bearer(await adminKeyOf(tokyo)) })
    t.same(JSON.parse(status.body).ownershipConflicts, conflicts, 'the link status lists them too')
    const blob = await fetchText(tokyo, `/api/v1/blobs/${conflicts[0]!.digest}`, { headers: bearer(await adminKeyOf(tokyo)) })
    t.equal(blob.body, 'tokyo one', 'the value set aside is still readable by its digest with an admin key')
    t.equal((await fetchText(tokyo, `/api/v1/blobs/${conflicts[0]!.digest}`)).status, 401, 'not without one')
    const blobs = tokyo.gw.service<FileBlobStore>('blobStore')!
    await collectUnreferenced({ blobs, repos: tokyo.gw.service<IndexedRepositoryStore>('repositoryStore')!, log: pino({ enabled: false }) }, { grace: 0 })
    t.ok(await blobs.has(sha256('tokyo one')), 'nor is it collected')
    t.same((await healthOf(london)).federation?.ownershipConflicts, [], 'the owner set nothing aside')

    await exchange()
    t.equal(await content(tokyo), 'london one', 'and it stays so')
  })
}
