// `fedgate links`: the links this site accepts connections for (incoming side), and every link's last
// status. Like `fedgate keys`, it works on the site's store directly, with the site running or stopped.
import { parseArgs } from 'node:util'
import type { CliCommand } from '../../gateway/plugin-api.ts'
import { systemClock } from '../../gateway/util/clock.ts'
import { LinkRing, linkModes, type LinkInfo, type LinkMode } from '../hub/links.ts'
import { openStores } from '../hub/store/open.ts'
import { runTokenVerb } from '../hub/token-commands.ts'
import { FederationState } from './state.ts'
import { viewOf, type LinkStatus } from './status.ts'
import { dismissOwnershipConflict, ownershipConflicts } from './owner-claims.ts'
import { readReference } from '../hub/names.ts'

const USAGE = "links --config site.yaml create --name N --repositories 'a/*,b/*' --mode pull|push|mirror|custom [--download --upload --delete-downloaded --delete-uploaded] | list | disable N | enable N | recreate N | status | dismiss-conflict REPO:TAG"

export const linksCommands: Record<string, CliCommand> = {
  links: {
    summary: USAGE,
    async run({ config, argv }) {
      const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          config: { type: 'string', short: 'c' },
          name: { type: 'string' },
          repositories: { type: 'string' },
          mode: { type: 'string' },
          download: { type: 'boolean' },
          upload: { type: 'boolean' },
          'delete-downloaded': { type: 'boolean' },
          'delete-uploaded': { type: 'boolean' },
        },
      })
      const [verb, which] = positionals
      const stores = await openStores(config(), { follow: false })
      const links = new LinkRing(stores.index, systemClock)
      try {
        if (await runTokenVerb(links, verb, which, { command: 'links', ref: 'NAME', print: printLink })) return
        switch (verb) {
          case 'create': {
            if (!values.name || !values.repositories || !linkModes.includes(values.mode as LinkMode)) throw new Error(`usage: fedgate ${USAGE}`)
            actionsProblem(values.mode as LinkMode, values)
            const r = await links.create({
              name: values.name,
              repositories: values.repositories.split(',').map((s) => s.trim()).filter(Boolean),
              mode: values.mode as LinkMode,
              custom: { download: values.download, upload: values.upload, deleteDownloaded: values['delete-downloaded'], deleteUploaded: values['delete-uploaded'] },
            })
            printLink(r.info)
            console.log(`\n${r.token}\n\nThe sync token is shown this once; only its hash is stored. Give it to the peer's links: entry (token: file:./… or \${ENV}).`)
            return
          }
          case 'status': {
            const state = new FederationState(stores.index)
            const all = await state.statuses()
            if (all.length === 0) console.log('no link has exchanged anything yet')
            // Judged by the last exchange saved (the site may be stopped): a transfer in flight is not seen here.
            for (const s of all) console.log(JSON.stringify(viewOf(s as unknown as LinkStatus, Date.now())))
            for (const c of await state.conflicts()) console.log(`conflict ${c.repo}:${c.tag}: ${c.winner.origin} (${c.winner.at}) won over ${c.loser.origin} (${c.loser.at})`)
            for (const a of ownershipConflicts(stores.repositoryStore)) console.log(`set aside ${a.repo}:${a.tag} ${a.digest} (published ${a.publishedAt}, set aside ${a.setAsideAt}): ${a.owner} owns ${a.repo}`)
            return
          }
          case 'dismiss-conflict': {
            // A tag always: a bare repository would read as its latest, which is not what was named.
            const ref = which === undefined || !which.includes(':') ? undefined : readReference(which)
            if (!ref || !('tag' in ref) || ref.tag === undefined) throw new Error(`usage: fedgate links --config site.yaml dismiss-conflict REPO:TAG (as fedgate links status lists it)${ref && 'problem' in ref ? `: ${ref.problem}` : ''}`)
            for (const a of await dismissOwnershipConflict(stores.repositoryStore, ref.repo, ref.tag)) {
              console.log(`dismissed ${a.repo}:${a.tag} ${a.digest} (set aside ${a.setAsideAt}, ${a.owner} owns ${a.repo}): no longer listed; its blob may be collected once store.collect.grace has passed, unless something else references it`)
            }
            return
          }
          default:
            throw new Error(`usage: fedgate ${USAGE}`)
        }
      } finally {
        await stores.close()
      }
    },
  },
}

/**
 * Refuses action flags the link would ignore, as `fedgate check` refuses them in a `links:` entry
 * (plugins/federation/index.ts): a link created otherwise does less than the command line said.
 */
function actionsProblem(mode: LinkMode, v: { download?: boolean; upload?: boolean; 'delete-downloaded'?: boolean; 'delete-uploaded'?: boolean }): void {
  const given = (['download', 'upload', 'delete-downloaded', 'delete-uploaded'] as const).filter((f) => v[f] !== undefined).map((f) => `--${f}`)
  if (mode !== 'custom') {
    if (given.length) throw new Error(`only a custom link takes ${given.join(', ')}: mode ${mode} decides what it does (docs/federation.md)`)
    return
  }
  if (!v.download && !v.upload) throw new Error('a custom link needs --download or --upload (or both): as given it carries nothing')
  if (v['delete-downloaded'] && !v.download) throw new Error('--delete-downloaded needs --download')
  if (v['delete-uploaded'] && !v.upload) throw new Error('--delete-uploaded needs --upload')
}

function printLink(l: LinkInfo): void {
  const a = l.actions
  const custom = l.mode === 'custom' ? ` (${Object.entries(a).filter(([, v]) => v).map(([k]) => k).join(',') || 'nothing'})` : ''
  console.log(`${l.name}  ${l.disabled ? 'disabled' : 'enabled '}  ${l.mode}${custom}  ${l.repositories.join(',')}  created ${l.createdAt}`)
}
