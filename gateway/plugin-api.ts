// What a plugin may declare and what the core gives it. Plugins extend the gateway only through these:
// option sections, routes in a stage, upgrade routes, health contributions and named services.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { ParseArgsConfig } from 'node:util'
import type { Logger } from 'pino'
import type { Spec, Path } from './config/options.ts'
import type { ReusableAnswer } from './hot-answers.ts'
import type { SiteConfig } from './config/load.ts'
import type { RootClient } from './upstream/root-client.ts'
import type { RootHealth } from './upstream/root-health.ts'
import type { Clock } from './util/clock.ts'
import type { Metrics } from './metrics/registry.ts'

/** Order in which route stages are tried; written down in docs/lifecycle.md. */
export const routeStages = ['gateway', 'repository', 'fallback'] as const
export type RouteStage = (typeof routeStages)[number]

export interface RequestContext {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly method: string
  /** The decoded, checked path (never contains `..`, backslashes or encoded slashes). */
  readonly path: string
  /** The path as the client encoded it (checked; decodes to `path`), for forwarding. */
  readonly rawPath: string
  /** The raw query string including `?`, or ''. */
  readonly query: string
  /** Did the client come over TLS? */
  readonly secure: boolean
  readonly remoteAddress: string
  /**
   * The base URL (no trailing slash) of the URLs written into this answer: site.publicUrl, else the host the
   * client named if the site answers for it (gateway/server/public-url.ts). An answer that embeds it
   * depends on the Host: never offer it for repeats (`reusable`).
   */
  readonly publicUrl: string
  /** Set by handlers for the request log line. */
  route?: string
  upstream?: string
  cache?: 'hit' | 'miss' | 'bypass' | 'revalidated' | 'stale' | 'coalesced'
  /** Set by the core when the answer is a catalogue error, for the request log line. */
  error?: string
  /**
   * Offers the 200 answer this route is about to send for repeats (docs/lifecycle.md, step 1), under the
   * contract `ReusableAnswer` states. Ignored unless the request is a plain GET on a listener that repeats.
   */
  reusable(answer: ReusableAnswer): void
}

export interface Route {
  readonly name: string
  readonly stage: RouteStage
  /** Cheap, synchronous: does this route take the request? The first match in stage order wins. */
  match(ctx: RequestContext): boolean
  /**
   * The request headers (lower-case) `match()` reads besides the method and target. An answer offered for
   * repeats (docs/lifecycle.md, step 1) by this route or one after it is repeated only to GETs sending the
   * same values of them: with another value, this route might take (or leave) the request.
   */
  readonly matchHeaders?: readonly string[]
  handle(ctx: RequestContext): Promise<void> | void
}

export interface UpgradeRoute {
  readonly name: string
  match(req: IncomingMessage, path: string): boolean
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void
}

/**
 * The `adminCheck` service (the hub plugin's keys), which the core's /health uses: false when the request
 * presents no key; true for an admin key; throws the catalogue's 401/403 for any other key.
 */
export type AdminCheck = (ctx: RequestContext) => Promise<boolean>

/**
 * The services plugins offer each other, name → type. The core declares its own here; a plugin that
 * provides services declares them beside its setup by merging into this interface
 * (`declare module '../../gateway/plugin-api.ts' { interface ServiceMap { keys: KeyRing } }`), so every
 * lookup is typed and a name nobody declares does not compile.
 */
export interface ServiceMap {
  /** The core's pool to the site's root (role child). */
  rootClient: RootClient
  adminCheck: AdminCheck
}
export type ServiceName = keyof ServiceMap

/** The services a plugin declared (`GatewayPlugin.needs` and `uses`); looking up any other throws. */
export interface Services {
  get<K extends ServiceName>(name: K): ServiceMap[K] | undefined
  /** A service declared in `needs`: present, since the start checked it. */
  need<K extends ServiceName>(name: K): ServiceMap[K]
}

export interface PluginContext {
  readonly config: SiteConfig
  readonly log: Logger
  readonly clock: Clock
  /** Present when the site has a root (role child). */
  readonly rootHealth?: RootHealth
  readonly services: Services
  /** GET /health's detail as it is now (every plugin's part): for pages that show the site, at request time. */
  readonly siteHealth: () => Record<string, unknown>
}

export interface PluginInstance {
  routes?: Route[]
  upgrades?: UpgradeRoute[]
  /** Services this plugin offers to plugins set up after it. */
  provides?: Partial<ServiceMap>
  /** Merged into GET /health's detail (admin key only) under the plugin's name. */
  health?(): Record<string, unknown>
  /** Declares this plugin's metrics for GET /metrics (when `metrics.enabled`), read from its stats when scraped. */
  metrics?(m: Metrics): void
  close?(): Promise<void>
}

/** A `fedgate <name>` command a plugin adds to the command line. */
export interface CliCommand {
  /** One usage line: `name args   what it does`. */
  readonly summary: string
  /**
   * The options it takes, when the command line is to parse them for it: then an unknown option or a stray
   * argument is refused (exit 2). Without them the command parses `argv` itself.
   */
  readonly options?: ParseArgsConfig['options']
  /** Resolves to 'running' when it started a server that keeps the process alive; to an exit status when it failed and has said why. */
  run(args: {
    config: () => SiteConfig
    values: Record<string, string | boolean | undefined>
    positionals: string[]
    /** The command's raw arguments, for commands with options of their own. */
    argv: string[]
    plugins: readonly GatewayPlugin[]
  }): Promise<void | 'running' | number | undefined>
}

export interface GatewayPlugin {
  readonly name: string
  /** Top-level YAML sections this plugin owns, each declared once with type, default and doc. */
  readonly options?: Record<string, Spec<any>>
  /**
   * Cross-option checks after parsing; `fail` reports with file and line. `given` says whether the YAML
   * file sets `path` at all (null counts as absent, as for defaults): a default fills in an absent
   * option, so the parsed value cannot tell.
   */
  validate?(config: SiteConfig, fail: (path: Path, message: string) => never, given: (path: Path) => boolean): void
  /** Raw-path patterns where an encoded slash is part of the protocol's names (npm's `/@scope%2fname`). */
  readonly encodedSlashAllowed?: readonly RegExp[]
  /** Does this plugin run for the site? Default: yes. */
  enabled?(config: SiteConfig): boolean
  /** Commands this plugin adds to `fedgate`. */
  readonly commands?: Record<string, CliCommand>
  /** Services it cannot run without: a plugin set up before it must provide each (checked at start, by name). */
  readonly needs?: readonly ServiceName[]
  /** Services it uses when a plugin set up before it provides them. */
  readonly uses?: readonly ServiceName[]
  setup(ctx: PluginContext): Promise<PluginInstance> | PluginInstance
}

/** Reads a plugin's own section, typed by its spec. */
export function section<S extends Spec<any>>(config: SiteConfig, name: string, _spec: S): S extends Spec<infer T> ? T : never {
  return config.sections[name] as S extends Spec<infer T> ? T : never
}
