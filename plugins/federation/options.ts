// The outgoing side of links (docs/federation.md): one entry per peer this site connects out to.
import { opt } from '../../gateway/config/options.ts'
import { OWNS_PATTERN } from '../../gateway/config/schema.ts'
import { linkModes } from '../hub/links.ts'

export const linksSpec = opt.list(
  opt.obj(
    {
      name: opt.string({ doc: 'The link, as named at the peer (`fedgate links create --name`): in logs and status', pattern: /^[a-z0-9][a-z0-9-]{0,62}$/, patternText: 'a-z 0-9 -' }),
      url: opt.url({ doc: 'The peer site that accepts the connection ("incoming")', protocols: ['https', 'http'] }),
      token: opt.secret({ doc: "The link's sync token made at the peer: ${ENV_NAME} or file:./path" }),
      ca: opt.path({ doc: 'Extra CA certificate (PEM) trusted for the peer', optional: true }),
      mode: opt.oneOf(linkModes, { doc: 'pull: download; push: upload; mirror: both; custom: as download/upload/deleteDownloaded/deleteUploaded say' }),
      download: opt.bool({ doc: "custom: download the peer's changes", default: false }),
      upload: opt.bool({ doc: "custom: upload this site's changes", default: false }),
      deleteDownloaded: opt.bool({ doc: 'custom: apply deletes that are downloaded', default: false }),
      deleteUploaded: opt.bool({ doc: 'custom: upload deletes', default: false }),
      repositories: opt.list(opt.string({ doc: 'A repository pattern: ns/*, ns/** or ns/name', pattern: OWNS_PATTERN, patternText: 'ns/*, ns/** or ns/name' }), { doc: 'Repositories this link carries (the peer may carry fewer: its link decides)' }),
      interval: opt.duration({ doc: 'Time between two exchanges over this link', default: 60_000, min: '100ms' }),
      retry: opt.duration({ doc: 'First wait before retrying a failed exchange; doubles each failure, at most interval', default: 1000, min: '100ms' }),
    },
    { doc: 'One link this site connects out over' },
  ),
  { doc: 'Links this site connects out over ("outgoing"); each replicates by its mode with its own token. `root:` + `repositories:` stays one pull link to the root' },
)
