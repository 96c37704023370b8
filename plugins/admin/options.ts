// The admin page's YAML section.
import { opt, type Infer } from '../../gateway/config/options.ts'

export const adminSpec = opt.obj(
  {
    enabled: opt.bool({ doc: 'Serve the admin web page at /admin (HTTPS only; sign-in with an admin key of this site)', default: true }),
    session: opt.duration({ doc: 'How long a sign-in lasts; then the page asks for the key again', default: 8 * 3600_000 }),
    maxSessions: opt.int({ doc: 'Sessions kept at once; past it the oldest is signed out', default: 100, min: 1, max: 100_000 }),
  },
  { doc: 'The admin web page: overview, federation status, keys, tunnels; built in, no external assets' },
)

export type AdminOptions = Infer<typeof adminSpec>
