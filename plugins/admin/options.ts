// The admin page's YAML section.
import { opt, type Infer } from '../../gateway/config/options.ts'

export const adminSpec = opt.obj(
  {
    enabled: opt.bool({ doc: 'Serve the admin web page at /admin (HTTPS only; sign-in with an admin key of this site)', default: true }),
    session: opt.duration({ doc: 'How long a sign-in lasts; then the page asks for the key again', default: 8 * 3600_000, min: '1m' }),
    maxSessions: opt.int({ doc: 'Sessions kept at once; past it the oldest is signed out', default: 100, min: 1, max: 100_000 }),
    signInFailures: opt.obj(
      {
        limit: opt.int({ doc: 'Refused sign-ins from one client (an address; an IPv6 /64) within `window` before it gets 429 (even with the right key) until the window ends', default: 10, min: 1 }),
        window: opt.duration({ doc: 'Length of the failure-counting window', default: 15 * 60_000 }),
        maxAddresses: opt.int({ doc: 'Most clients remembered (oldest forgotten first), so memory stays bounded', default: 10_000, min: 1 }),
      },
      { doc: 'Slowing down key guessing at the sign-in form (counted per process)' },
    ),
  },
  { doc: 'The admin web page: overview, federation status, keys, tunnels; built in, no external assets' },
)

export type AdminOptions = Infer<typeof adminSpec>
