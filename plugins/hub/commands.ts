// `fedgate publish` and `fedgate keys`: they work on the site's store directly, so they run with the
// site stopped or running (lmdb is safe across processes, commits are compare-and-set, and the running
// site picks up what they did within store.refresh).
import type { Stats } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import type { CliCommand } from '../../gateway/plugin-api.ts'
import { systemClock } from '../../gateway/util/clock.ts'
import { KeyRing, scopes, type KeyInfo, type Scope } from './keys.ts'
import { readReference } from './names.ts'
import { runTokenVerb } from './token-commands.ts'
import { Ownership } from './ownership.ts'
import { openStores } from './store/open.ts'
import { tagImage } from './store/tag-updates.ts'

export const hubCommands: Record<string, CliCommand> = {
  publish: {
    summary: 'publish --config site.yaml ns/name:tag ./file [--no-latest]   store a file as an image and tag it',
    async run({ config, argv }) {
      const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { config: { type: 'string', short: 'c' }, 'no-latest': { type: 'boolean' } } })
      const [ref, file] = positionals
      if (!ref || !file || positionals.length !== 2) throw new Error('usage: fedgate publish --config site.yaml ns/name:tag ./file')
      // Said as what is wrong with the argument, not as an HTTP answer ("The request is malformed").
      const target = readReference(ref)
      if ('problem' in target) throw new Error(target.problem)
      const site = config()
      // A child's store mirrors its upstream, except the namespaces the child owns (site.owns).
      if (site.site.role !== 'root' && !site.site.owns.length) throw new Error(`${site.site.name} is a ${site.site.role}: publish at the root (fedgate publish --config root.yaml, or PUT to the root)`)
      if (!target.tag) throw new Error('publish to a tag (ns/name:tag), not a digest')
      // Before the store is opened: a folder, pipe or device has no size to check the bytes against
      // (a pipe's reads 0), and opening a pipe would wait for its writer.
      notAFile(file, await stat(file))
      // Opened here, so a failure to open (EACCES) is this command's error, not a stream's unheard event.
      const handle = await open(file, 'r')
      const stores = await openStores(site, { follow: false }).catch(async (err: unknown) => {
        await handle.close()
        throw err
      })
      try {
        const { size } = notAFile(file, await handle.stat())
        await new Ownership({ name: site.site.name, role: site.site.role, owns: site.site.owns }, stores.index).check(target.repo)
        const { id } = await stores.blobStore.ingest(handle.createReadStream(), { expectedSize: size })
        const state = await stores.repositoryStore.commit(target.repo, tagImage(target.tag, { id, size }, { latest: !values['no-latest'], at: new Date().toISOString() }))
        console.log(`published ${target.repo}:${target.tag} sha256:${id} (${size} bytes) at revision ${state.revision}`)
      } finally {
        await handle.close().catch(() => {}) // closed already once its stream ended
        await stores.close()
      }
    },
  },
  keys: {
    summary: 'keys --config site.yaml create --name N --scope read|publish|admin [--namespaces acme/*,…] | list | disable ID | enable ID | recreate ID',
    async run({ config, argv }) {
      const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: { config: { type: 'string', short: 'c' }, name: { type: 'string' }, scope: { type: 'string' }, namespaces: { type: 'string' } },
      })
      const [verb, id] = positionals
      const stores = await openStores(config(), { follow: false })
      const keys = new KeyRing(stores.index, systemClock)
      try {
        if (await runTokenVerb(keys, verb, id, { command: 'keys', ref: 'ID', print: printKey })) return
        switch (verb) {
          case 'create': {
            if (!values.name || !scopes.includes(values.scope as Scope)) throw new Error(`usage: fedgate keys create --name NAME --scope ${scopes.join('|')} [--namespaces 'acme/*']`)
            const namespaces = values.namespaces?.split(',').map((s) => s.trim()).filter(Boolean)
            const r = await keys.create({ name: values.name, scope: values.scope as Scope, namespaces })
            printKey(r.info)
            console.log(`\n${r.key}\n\nThe key is shown this once; only its hash is stored.`)
            return
          }
          default:
            throw new Error('usage: fedgate keys create|list|disable|enable|recreate (see fedgate help)')
        }
      } finally {
        await stores.close()
      }
    },
  },
}

/** `info` when `file` is a regular file; else an error naming it and what it is. */
function notAFile(file: string, info: Stats): Stats {
  if (info.isFile()) return info
  const kind = info.isDirectory() ? 'a folder' : info.isFIFO() ? 'a pipe' : info.isSocket() ? 'a socket' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : 'something else'
  throw new Error(`${file} is ${kind}, not a file: publish stores the bytes of a file`)
}

function printKey(k: KeyInfo): void {
  const ns = k.namespaces.length ? ` ${k.namespaces.join(',')}` : ''
  console.log(`${k.id}  ${k.disabled ? 'disabled' : 'enabled '}  ${k.scope}${ns}  ${k.name}  created ${k.createdAt}`)
}
