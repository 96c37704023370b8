// The core's options. Plugins declare their own sections (plugins/*/options.ts); the loader joins them.
import { opt, type Infer } from './options.ts'

export const SITE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/
/** `ns/*` (one segment below ns), `ns/**` (any depth below), `ns/name` (docs/federation.md). */
export const OWNS_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}(\/([a-z0-9][a-z0-9._-]{0,63}|\*))*(\/\*\*)?$/

export const coreOptions = {
  site: opt.obj(
    {
      name: opt.string({ doc: 'Name of this site, used in logs, /health and generated certificate names', pattern: SITE_NAME, patternText: 'lower-case letters, digits and dashes' }),
      role: opt.oneOf(['root', 'child'] as const, { doc: 'root: the source of repositories; child: syncs from `root` and forwards to it' }),
      publicUrl: opt.url({ doc: 'URL clients use to reach this site (written into served metadata and redirects); default: the host the client named, if the site answers for it', protocols: ['https', 'http'], optional: true }),
      hosts: opt.list(opt.string({ doc: 'Host name, IP address or *.domain' }), { doc: 'Names a client may reach this site by, besides its certificates\' names and tls.hosts (written URLs follow them)' }),
      trustedProxies: opt.list(opt.addressBlock({ doc: 'IP address or CIDR block' }), { doc: 'Proxies whose X-Forwarded-Host/-Proto are believed (the host still one of the site\'s names)' }),
      owns: opt.list(opt.string({ doc: 'A namespace pattern: ns/* (one segment), ns/** (any depth), ns/name', pattern: OWNS_PATTERN, patternText: 'ns/*, ns/** or ns/name' }), { doc: 'Namespaces this site owns: publishes to them are accepted here and refused (409, naming the owner) at other sites; the root also owns what no site claims' }),
    },
    { doc: 'Who this site is' },
  ),
  listen: opt.obj(
    {
      https: opt.obj(
        {
          host: opt.string({ doc: 'Address the HTTPS listener binds', default: '0.0.0.0' }),
          port: opt.port({ doc: 'HTTPS port (0 picks a free one)', default: 8443 }),
        },
        { doc: 'The TLS listener' },
      ),
      http: opt.obj(
        {
          host: opt.string({ doc: 'Address the plain-HTTP listener binds', default: '0.0.0.0' }),
          port: opt.port({ doc: 'Plain-HTTP port (0 picks a free one)' }),
          redirectToHttps: opt.bool({ doc: 'Answer every plain-HTTP request with a 308 to the HTTPS URL instead of serving it', default: true }),
        },
        { doc: 'Optional plain-HTTP listener', optional: true },
      ),
    },
    { doc: 'Where the gateway listens' },
  ),
  tls: opt.obj(
    {
      cert: opt.path({ doc: 'Server certificate (PEM), which must exist; default <dir>/<site>.crt, generated there when absent', optional: true }),
      key: opt.path({ doc: 'Server private key (PEM), which must exist; default <dir>/<site>.key, generated there when absent', optional: true }),
      dir: opt.path({ doc: 'Folder for generated certificates and the local CA', default: 'certs' }),
      hosts: opt.list(opt.string({ doc: 'Host name or IP address' }), { doc: 'Extra names put in a generated certificate (localhost and 127.0.0.1 are always there); one added later has it made again at start' }),
      sni: opt.list(
        opt.obj(
          {
            hosts: opt.list(opt.string({ doc: 'Host name, or *.domain' }), { doc: 'Names this certificate answers for' }),
            cert: opt.path({ doc: 'Certificate (PEM)' }),
            key: opt.path({ doc: 'Private key (PEM)' }),
          },
          { doc: 'One extra certificate' },
        ),
        { doc: 'Extra certificates chosen by SNI host name' },
      ),
      watch: opt.bool({ doc: 'Reload certificates when their files change, without dropping connections', default: true }),
    },
    { doc: 'TLS termination (TLS 1.2 and newer only)' },
  ),
  root: opt.obj(
    {
      url: opt.url({ doc: 'The upstream site: forwarding and sync go there', protocols: ['https', 'http'] }),
      key: opt.secret({ doc: 'Low-privilege key presented to the upstream: ${ENV_NAME} or file:./path', optional: true }),
      keyHeader: opt.oneOf(['authorization', 'x-apikey'] as const, { doc: 'How the key is sent: Authorization: Bearer <key>, or X-ApiKey: <key>', default: 'authorization' }),
      ca: opt.path({ doc: 'Extra CA certificate (PEM) trusted for the upstream', optional: true }),
      allowPlainHttpKey: opt.bool({ doc: 'Allow an http:// url with a key (the key travels in clear: only for a root on loopback or a trusted link)', default: false }),
      health: opt.obj(
        {
          path: opt.string({ doc: 'Path probed on the upstream; any answer below 500 counts as up', default: '/health', pattern: /^\//, patternText: 'a path starting with /' }),
          interval: opt.duration({ doc: 'Time between active probes (forwarding resumes within one interval of the root coming back)', default: 5000, min: '100ms' }),
          timeout: opt.duration({ doc: 'A probe slower than this counts as a failure', default: 2000 }),
          failures: opt.int({ doc: 'Consecutive transport failures or timeouts of requests (not 5xx answers) that open the circuit', default: 3, min: 1 }),
          backoff: opt.duration({ doc: 'First wait before a trial request once the circuit opens; doubles each failed trial', default: 1000, min: '100ms' }),
          maxBackoff: opt.duration({ doc: 'Longest wait between trial requests', default: 30_000, min: '100ms' }),
        },
        { doc: 'How the root\'s health is known: active probes plus passive failures feed a circuit breaker' },
      ),
    },
    { doc: 'The upstream (the root, or a middle site); required for role child', optional: true },
  ),
  limits: opt.obj(
    {
      maxHeaderBytes: opt.bytes({ doc: 'Largest request head accepted (431 beyond)', default: 16 * 1024 }),
      headersTimeout: opt.duration({ doc: 'A client must finish its TLS handshake within this, then send its whole request head within this (slow clients are cut off); at most requestTimeout', default: 10_000 }),
      requestTimeout: opt.duration({ doc: 'A client must send its whole request within this', default: 300_000 }),
      keepAliveTimeout: opt.duration({ doc: 'Idle time before a client keep-alive connection is closed', default: 5000 }),
      sendTimeout: opt.duration({ doc: 'An answer whose client takes none of its bytes for this long is cut, freeing its file and its connection to the root (0: never)', default: 30_000 }),
      maxConnections: opt.int({ doc: 'Most connections one listener holds at once; one more is closed as it arrives (default: a quarter of the open-file limit, at most 10000)', optional: true, min: 1 }),
    },
    { doc: 'Protection against oversized and slow requests, and slow or too many clients' },
  ),
  shutdown: opt.obj(
    { grace: opt.duration({ doc: 'On SIGTERM/SIGINT, how long in-flight requests may take before connections are closed', default: 10_000 }) },
    { doc: 'Graceful stop' },
  ),
  log: opt.obj(
    {
      level: opt.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, { doc: 'Lowest level written', default: 'info' }),
      requests: opt.bool({ doc: 'One line per request (method, path, status, duration, upstream, cache)', default: true }),
    },
    { doc: 'Structured logs (JSON lines on stdout)' },
  ),
  workers: opt.countOrAuto({ doc: 'Processes serving the site\'s listeners (node:cluster): 1 runs in the one process; auto, one per core. Sync, collection and the change stream run in one of them (the sync leader)', default: 1, max: 256 }),
  hotAnswers: opt.obj(
    {
      bytes: opt.bytes({ doc: 'Memory for answers repeated to plain GETs before the guard and routing run (whole small blobs of synchronized repositories); 0 turns repeating off', default: 16 * 1024 * 1024 }),
    },
    { doc: 'Hot answers (docs/lifecycle.md, step 1): least recently used out first; a body is shared with the store\'s hot tier while both hold it' },
  ),
  metrics: opt.obj(
    {
      enabled: opt.bool({ doc: 'Answer GET /metrics in the Prometheus text format', default: true }),
      listen: opt.obj(
        {
          host: opt.string({ doc: 'Loopback address the metrics listener binds (it asks no key, so only a loopback address is accepted)', default: '127.0.0.1' }),
          port: opt.port({ doc: 'Port of the metrics listener (0 picks a free one)' }),
        },
        { doc: 'Serve /metrics on a listener of its own with no key, instead of on the site\'s listeners with an admin key', optional: true },
      ),
    },
    { doc: 'Prometheus metrics (README, Metrics): by default on the site\'s listeners, answered only with an admin key' },
  ),
}

export const coreSpec = opt.obj(coreOptions, { doc: 'A fedgate site' })
export type CoreConfig = Infer<typeof coreSpec>
