import { opt } from '../../gateway/config/options.ts'

export const forwardSpec = opt.obj(
  {
    enabled: opt.bool({ doc: 'Forward requests no other route takes to the root (child sites)', default: true }),
    allowWrites: opt.bool({ doc: 'Let POST, PUT, PATCH and DELETE through, with the client\'s own credentials and never the site\'s key', default: false }),
    passCookies: opt.bool({ doc: 'Pass client cookies to the root on reads (they are stripped by default)', default: false }),
    connections: opt.int({ doc: 'Most keep-alive connections held open to the root', default: 128, min: 1 }),
    timeouts: opt.obj(
      {
        connect: opt.duration({ doc: 'Connecting to the root takes longer than this → 504', default: 2000 }),
        headers: opt.duration({ doc: 'The root sends no response head within this → 504', default: 10_000 }),
        body: opt.duration({ doc: 'The root stalls this long inside a body → the response is cut (0: never)', default: 30_000 }),
        queue: opt.duration({ doc: 'A request waiting this long for one of `connections` to come free → 503 GW_ERR_FORWARD_BUSY (not counted against the root)', default: 10_000 }),
      },
      { doc: 'Upstream time limits for forwarded requests' },
    ),
  },
  { doc: 'Forwarding to the root with the site\'s low-privilege key' },
)
