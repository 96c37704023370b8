import { opt } from '../../gateway/config/options.ts'

export const tunnelSpec = opt.obj(
  {
    path: opt.string({ doc: 'Upgrade requests on this exact path are tunnelled', pattern: /^\/[^?#\s]*$/, patternText: 'a path starting with /' }),
    upstream: opt.url({ doc: 'Where the tunnel goes: wss:// (certificates checked) or ws:// for a local relay', protocols: ['ws', 'wss'] }),
    tokens: opt.secret({ doc: 'Accepted caller tokens, one a line (blank lines and # comments ignored): file:./path (re-read when it changes) or ${ENV_NAME}', oneALine: true }),
    upstreamToken: opt.secret({ doc: 'Token the gateway presents upstream (Authorization: Bearer, and in CLASP HELLO) in place of the caller\'s; absent: the caller\'s own is passed on', optional: true }),
    ca: opt.path({ doc: 'Extra CA certificate (PEM) trusted for a wss:// upstream; default root.ca', optional: true }),
    maxConnections: opt.int({ doc: 'Most tunnels open or opening at once on this path, callers still to send a CLASP HELLO aside (503 beyond)', default: 1000, min: 1 }),
    maxMessageBytes: opt.bytes({ doc: 'Largest WebSocket message either way; a bigger one closes the tunnel with 1009', default: 1024 * 1024 }),
    idleTimeout: opt.duration({ doc: 'A tunnel with no message either way for this long is closed with 1001 (0: never)', default: 120_000 }),
    pingInterval: opt.duration({ doc: 'Both sides are pinged this often; a side that has not answered the previous ping is dropped', default: 30_000, min: '100ms' }),
    connectTimeout: opt.duration({ doc: 'Opening the upstream WebSocket takes longer than this → 504 (or close 1013 after HELLO)', default: 5000 }),
    helloTimeout: opt.duration({ doc: 'A CLASP peer authenticating in HELLO must send it within this, or the socket is closed with 1008 (a failure for `failures`)', default: 5000 }),
    helloBudget: opt.obj(
      {
        max: opt.int({ doc: 'Most CLASP callers still to send their HELLO at once on this path; more get 503 at once', default: 128, min: 1 }),
        perAddress: opt.int({ doc: 'Most of them from one client (an address; an IPv6 /64); more from it get 429 at once', default: 8, min: 1 }),
      },
      { doc: 'CLASP callers not yet authenticated (waiting for HELLO) hold places here, never among maxConnections' },
    ),
    tokenProtocolPrefix: opt.string({ doc: 'A Sec-WebSocket-Protocol entry starting with this carries the token (for browsers, which cannot set headers)', default: 'bearer.' }),
    followRootHealth: opt.bool({ doc: 'While the site\'s root is known to be down, refuse new tunnels at once with 503', default: true }),
    failures: opt.obj(
      {
        limit: opt.int({ doc: 'Refused attempts from one client (an address; an IPv6 /64) within `window` before it gets 429 until the window ends', default: 10, min: 1 }),
        window: opt.duration({ doc: 'Length of the failure-counting window', default: 60_000 }),
        maxAddresses: opt.int({ doc: 'Most clients remembered (oldest forgotten first), so memory stays bounded', default: 10_000, min: 1 }),
      },
      { doc: 'Slowing down callers that keep presenting bad tokens, malformed HELLOs, or no HELLO in time' },
    ),
  },
  { doc: 'One WebSocket tunnel' },
)

export const tunnelsSpec = opt.list(tunnelSpec, { doc: 'WebSocket federation tunnels: callers\' tokens are checked before any byte reaches the upstream' })
