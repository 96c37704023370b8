// Reads one site's YAML file, validates it against the core's and the plugins' declared options, and
// reports the first problem with file, line, key and what was expected.
import { readRegularFile } from '../util/regular-file.ts'
import { dirname, basename, resolve } from 'node:path'
import { parseDocument, visit, Parser, LineCounter, isMap, isSeq, isPair, isScalar, isCollection, isAlias, type Alias, type Document, type Node } from 'yaml'
import { formatPath, opt, OptionError, UnknownOptionError, type OptionWarning, type Path, type Spec, type ParseContext } from './options.ts'
import { coreOptions, type CoreConfig } from './schema.ts'
import type { GatewayPlugin } from '../plugin-api.ts'
import type { Logger } from 'pino'
import { missingCertificateFile, unusableCertificate } from '../tls/certificates.ts'

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(message)
    this.name = 'ConfigError'
  }
}

/** The parsed site: the core's options plus each plugin's own sections (plugins read theirs by name). */
export type SiteConfig = CoreConfig & { readonly file: string; readonly sections: Record<string, unknown>; readonly warnings: readonly ConfigWarning[] }

/** An OptionWarning placed in the file: `check` prints `where: option: text`, `start` logs `kind` with the fields. */
export interface ConfigWarning {
  /** file:line:col */
  where: string
  option: string
  kind: string
  text: string
  fields: Record<string, string>
}

/** Logs the file's warnings (start: a single process, or a workers' primary, once for the site). */
export function logConfigWarnings(config: Pick<SiteConfig, 'warnings'>, log: Logger): void {
  for (const w of config.warnings) log.warn({ where: w.where, option: w.option, ...w.fields }, w.kind)
}

/** The whole declared option tree: the core's sections and every plugin's. */
export function siteSpec(plugins: readonly GatewayPlugin[]): Spec<Record<string, unknown>> {
  const fields: Record<string, Spec<unknown>> = { ...coreOptions }
  for (const p of plugins) {
    for (const [k, s] of Object.entries(p.options ?? {})) {
      if (k in fields) throw new Error(`plugin ${p.name} declares option section "${k}", which is already declared`)
      fields[k] = s
    }
  }
  return opt.obj(fields, { doc: 'A fedgate site' }) as Spec<Record<string, unknown>>
}

export function loadConfigFile(file: string, plugins: readonly GatewayPlugin[], env = process.env): SiteConfig {
  const path = resolve(file)
  let text: string
  try {
    text = readRegularFile(path).toString('utf8')
  } catch (e) {
    throw new ConfigError(`${file}: cannot read the configuration file (${(e as NodeJS.ErrnoException).code ?? e})`, path)
  }
  return parseConfig(text, path, plugins, env)
}

export function parseConfig(text: string, file: string, plugins: readonly GatewayPlugin[], env = process.env): SiteConfig {
  const name = basename(file)
  const lines = new LineCounter()
  const deep = tooDeep(text)
  if (deep) throw new ConfigError(`${name}:${deep.line}:${deep.col}: YAML nested more than ${MAX_NESTING} levels deep`, file, deep.line)
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false })
  const syntax = doc.errors[0]
  if (syntax) {
    // prettyErrors is off (its message embeds the source line), so the position comes from the counter.
    const pos = syntax.linePos?.[0] ?? lines.linePos(syntax.pos[0])
    throw new ConfigError(`${name}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML syntax error: ${syntax.message.split('\n')[0]}`, file, pos?.line)
  }
  const oddKey = firstNonScalarKey(doc)
  if (oddKey !== undefined) {
    const pos = lines.linePos(oddKey)
    throw new ConfigError(`${name}:${pos.line}:${pos.col}: a key must be plain text, not a list, a mapping or an alias`, file, pos.line)
  }
  let value: unknown
  try {
    value = doc.toJS()
  } catch (e) {
    // The document parsed, yet its aliases cannot be expanded: one names no anchor set before it, or
    // they expand into more nodes than the yaml library allows (an alias bomb).
    const alias = firstAlias(doc)
    const pos = lines.linePos(alias?.unresolved ?? alias?.first ?? 0)
    throw new ConfigError(`${name}:${pos.line}:${pos.col}: YAML alias error: ${String((e as Error).message ?? e).split('\n')[0]}`, file, pos.line)
  }
  const warnings: OptionWarning[] = []
  const ctx: ParseContext = { baseDir: dirname(file), env, warnings }
  const spec = siteSpec(plugins)
  let parsed: Record<string, unknown>
  try {
    parsed = spec.parse(value ?? {}, [], ctx)
  } catch (e) {
    if (!(e instanceof OptionError)) throw e
    const pos = locate(doc, lines, e.path, e instanceof UnknownOptionError)
    throw new ConfigError(`${name}:${pos.line}:${pos.col}: ${e.message}`, file, pos.line)
  }
  const placed = warnings.map((w): ConfigWarning => {
    const pos = locate(doc, lines, w.path)
    return { where: `${name}:${pos.line}:${pos.col}`, option: formatPath(w.path), kind: w.kind, text: w.text, fields: w.fields }
  })
  const config = { ...(parsed as CoreConfig), file, sections: parsed, warnings: placed }
  const fail = (path: Path, message: string): never => {
    const pos = locate(doc, lines, path)
    throw new ConfigError(`${name}:${pos.line}:${pos.col}: ${formatPath(path)}: ${message}`, file, pos.line)
  }
  if (config.site.role === 'child') {
    if (!config.root) fail(['root'], 'a child site needs `root.url` (and usually `root.key`)')
  }
  if (config.root?.key && config.root.url.protocol === 'http:' && !config.root.allowPlainHttpKey) {
    fail(['root', 'url'], 'with root.key, an http:// url would send the key in clear; use https://, or set root.allowPlainHttpKey: true if the link is trusted (a root on loopback)')
  }
  const { headersTimeout, requestTimeout } = config.limits
  // Node refuses this at start with a raw ERR_OUT_OF_RANGE; the head is part of the request.
  if (requestTimeout > 0 && headersTimeout > requestTimeout) {
    fail(['limits', 'headersTimeout'], `${duration(headersTimeout)} is longer than limits.requestTimeout (${duration(requestTimeout)}); it must not exceed it`)
  }
  const missing = missingCertificateFile({ dir: config.tls.dir, siteName: config.site.name, hosts: config.tls.hosts, cert: config.tls.cert, key: config.tls.key })
  if (missing) {
    fail(['tls', missing.option], `${missing.path} does not exist (certificates are generated only at the default paths under tls.dir; fix the path, or remove tls.${missing.option} to use a generated one)`)
  }
  const unusable = unusableCertificate({ cert: config.tls.cert, key: config.tls.key, sni: config.tls.sni })
  if (unusable) fail(unusable.path, unusable.message)
  const { https: tlsListen, http: plainListen } = config.listen
  if (plainListen && plainListen.port !== 0 && plainListen.port === tlsListen.port && (plainListen.host === tlsListen.host || isAnyAddress(plainListen.host) || isAnyAddress(tlsListen.host))) {
    fail(['listen', 'http', 'port'], `${plainListen.port} is listen.https's port too; the two listeners need ports of their own`)
  }
  const metricsHost = config.metrics.listen?.host
  if (metricsHost !== undefined && !isLoopback(metricsHost)) fail(['metrics', 'listen', 'host'], `${metricsHost} is not a loopback address; the metrics listener asks no key, so it binds only 127.0.0.1, ::1 or localhost (leave metrics.listen out to serve /metrics on the site's listeners with an admin key)`)
  const given = (path: Path) => rawValue(value, path) != null
  for (const p of plugins) p.validate?.(config, fail, given)
  return config
}

/** The value the file gives at `path` before defaults (undefined where it gives none). */
function rawValue(value: unknown, path: Path): unknown {
  let node = value
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined
    node = (node as Record<string | number, unknown>)[key]
  }
  return node
}

function duration(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`
  return `${ms}ms`
}

// Far beyond any site file; the yaml library composes recursively, and a document nested a few
// thousand levels deep overflows the stack (and can leave V8 unable to compile a regular expression).
const MAX_NESTING = 64

/** Where a collection is nested deeper than MAX_NESTING, found in the library's flat (CST) parse. */
function tooDeep(text: string): { line: number; col: number } | undefined {
  const lines = new LineCounter()
  const stack: [unknown, number][] = [...new Parser(lines.addNewLine).parse(text)].map((token) => [token, 0])
  while (stack.length) {
    const [node, depth] = stack.pop()!
    const { type, offset } = node as { type?: unknown; offset?: number }
    const d = type === 'block-map' || type === 'block-seq' || type === 'flow-collection' ? depth + 1 : depth
    if (d > MAX_NESTING) return lines.linePos(offset ?? 0)
    for (const v of Object.values(node as object)) if (typeof v === 'object' && v !== null) stack.push([v, d])
  }
  return undefined
}

/** Where the first key that is a collection, an alias or a tagged object is (the yaml library would stringify it, with a process warning). */
function firstNonScalarKey(doc: Document): number | undefined {
  let at: number | undefined
  visit(doc, {
    Pair(_, pair) {
      // A tagged scalar can hold an object too (`!!binary "": x` is a Uint8Array).
      const value = isScalar(pair.key) ? (pair.key as { value: unknown }).value : undefined
      if (isCollection(pair.key) || isAlias(pair.key) || (typeof value === 'object' && value !== null)) {
        at = (pair.key as { range?: [number] }).range?.[0] ?? 0
        return visit.BREAK
      }
    },
  })
  return at
}

/** Offsets of the document's first alias, and of its first alias that names no anchor before it. */
function firstAlias(doc: Document): { first?: number; unresolved?: number } {
  const out: { first?: number; unresolved?: number } = {}
  visit(doc, {
    Alias(_, node: Alias) {
      out.first ??= node.range?.[0]
      if (node.resolve(doc) === undefined) {
        out.unresolved = node.range?.[0]
        return visit.BREAK
      }
    },
  })
  return out
}

/**
 * Line and column of the deepest node on `path` that exists: a scalar value's own, else its key's, and the
 * key's always with `atKey` (an unknown option: the key is what is wrong); the document's start when not
 * even the top level exists (an empty file).
 */
function locate(doc: Document, lines: LineCounter, path: Path, atKey = false): { line: number; col: number } {
  let node: Node | null | undefined = doc.contents as Node | null
  let offset = node?.range?.[0]
  for (const [i, key] of path.entries()) {
    if (isMap(node)) {
      // As toJS names keys: `1: x` is the option "1".
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === key)
      if (!pair) break
      const k = pair.key as Node
      offset = k.range?.[0] ?? offset
      node = pair.value as Node | null
      if (atKey && i === path.length - 1) break
      if (node?.range && !isMap(node) && !isSeq(node)) offset = node.range[0]
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key] as Node | null
      offset = node?.range?.[0] ?? offset
    } else break
  }
  return lines.linePos(offset ?? 0)
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

/** 0.0.0.0 or ::: a listener there takes the port on every address. */
function isAnyAddress(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === ''
}
