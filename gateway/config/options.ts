// The option DSL: every YAML option is declared once, here or in a plugin, with its type, default and
// a one-line doc. The same declaration validates the file, gives defaults, and lists the documented
// options (a test checks that config.example.yaml shows each one).
import { readRegularFile, readRegularFileAndMode } from '../util/regular-file.ts'
import { isAbsolute, resolve } from 'node:path'
import { parseDuration, parseBytes } from '../util/units.ts'
import { Secret } from './secret.ts'
import { parseAddressBlock } from '../util/address-block.ts'

export type Path = (string | number)[]

/** Thrown by a spec when a value does not fit; the loader adds file and line. */
export class OptionError extends Error {
  constructor(
    readonly path: Path,
    readonly expected: string,
    readonly got?: unknown,
  ) {
    super(`${formatPath(path)}: expected ${expected}${got === undefined ? '' : `, got ${describeValue(got)}`}`)
  }
}

/** A key no option has: the loader places it at the key, where an OptionError is placed at the value. */
export class UnknownOptionError extends OptionError {}

export interface ParseContext {
  /** Folder of the YAML file: relative paths are resolved against it. */
  baseDir: string
  env: NodeJS.ProcessEnv
  /** Where a spec says what works but should not be so; the loader adds file and line. */
  warnings?: OptionWarning[]
}

/** Something in the file that works but should not be so (a secret file others may read): `check` and `start` say it. */
export interface OptionWarning {
  path: Path
  /** The log line's message, one for every warning of its kind. */
  kind: string
  /** The warning in a sentence, for `fedgate check`. */
  text: string
  /** What the sentence names, as the log line's fields. */
  fields: Record<string, string>
}

export interface Spec<T> {
  readonly kind: string
  readonly doc: string
  readonly optional: boolean
  readonly hasDefault: boolean
  readonly fallback?: T
  /** Children, for documentation walks. */
  readonly fields?: Record<string, Spec<unknown>>
  readonly item?: Spec<unknown>
  parse(value: unknown, path: Path, ctx: ParseContext): T
}

export type Infer<S> = S extends Spec<infer T> ? T : never

interface Common<T> {
  doc: string
  default?: T
  /** No default and may be absent: the value is then undefined. */
  optional?: boolean
}

function leaf<T>(kind: string, o: Common<T>, check: (v: unknown, path: Path, ctx: ParseContext) => T): Spec<T> {
  const hasDefault = 'default' in o
  return {
    kind,
    doc: o.doc,
    optional: o.optional === true || hasDefault,
    hasDefault,
    fallback: o.default,
    parse(value, path, ctx) {
      if (value === undefined || value === null) {
        if (hasDefault) return o.default as T
        if (o.optional) return undefined as T
        throw new OptionError(path, `a value (${kind}): ${o.doc}`)
      }
      return check(value, path, ctx)
    },
  }
}

export const opt = {
  string(o: Common<string> & { pattern?: RegExp; patternText?: string }): Spec<string> {
    return leaf('string', o, (v, path) => {
      if (typeof v !== 'string' || v === '') throw new OptionError(path, 'a non-empty string', v)
      if (o.pattern && !o.pattern.test(v)) throw new OptionError(path, o.patternText ?? `a string matching ${o.pattern}`, v)
      return v
    })
  },

  int(o: Common<number> & { min?: number; max?: number }): Spec<number> {
    const range = `an integer${o.min !== undefined ? ` ≥ ${o.min}` : ''}${o.max !== undefined ? ` ≤ ${o.max}` : ''}`
    return leaf('integer', o, (v, path) => {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new OptionError(path, range, v)
      if ((o.min !== undefined && v < o.min) || (o.max !== undefined && v > o.max)) throw new OptionError(path, range, v)
      return v
    })
  },

  port(o: Common<number>): Spec<number> {
    return opt.int({ ...o, min: 0, max: 65535 })
  },

  bool(o: Common<boolean>): Spec<boolean> {
    return leaf('boolean', o, (v, path) => {
      if (typeof v !== 'boolean') throw new OptionError(path, 'true or false', v)
      return v
    })
  },

  /**
   * "250ms", "2s", "1m", "1h"; a bare number is milliseconds. Parsed to milliseconds. `min` ("1s"): where
   * a shorter one, 0 above all, cannot be meant and would quietly switch the feature off or spin.
   */
  duration(o: Common<number> & { min?: string }): Spec<number> {
    const min = o.min === undefined ? 0 : parseDuration(o.min)
    if (min === undefined) throw new Error(`opt.duration: min ${o.min} is not a duration`)
    return leaf('duration', o, (v, path) => {
      const ms = parseDuration(v)
      if (ms === undefined) throw new OptionError(path, 'a duration such as "500ms", "2s" or "1m"', v)
      if (ms < min) throw new OptionError(path, `a duration of at least ${o.min}`, v)
      return ms
    })
  },

  /** "512KiB", "1MiB", "2GB"; a bare number is bytes. Parsed to bytes. */
  bytes(o: Common<number>): Spec<number> {
    return leaf('size', o, (v, path) => {
      const n = parseBytes(v)
      if (n === undefined) throw new OptionError(path, 'a size such as "64KiB" or "1MiB"', v)
      return n
    })
  },

  oneOf<const V extends string>(values: readonly V[], o: Common<V>): Spec<V> {
    return leaf(values.join(' | '), o, (v, path) => {
      if (typeof v !== 'string' || !values.includes(v as V)) throw new OptionError(path, `one of ${values.join(', ')}`, v)
      return v as V
    })
  },

  /** A count, or `auto` for one per core (os.availableParallelism). */
  countOrAuto(o: Common<number | 'auto'> & { max: number }): Spec<number | 'auto'> {
    const text = `auto or an integer from 1 to ${o.max}`
    return leaf('integer | auto', o, (v, path) => {
      if (v === 'auto') return v
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > o.max) throw new OptionError(path, text, v)
      return v
    })
  },

  url(o: Common<URL> & { protocols: string[] }): Spec<URL> {
    return leaf('url', o, (v, path) => {
      let u: URL
      try {
        u = new URL(String(v))
      } catch {
        throw new OptionError(path, `a URL (${o.protocols.join(', ')})`, v)
      }
      if (typeof v !== 'string' || !o.protocols.includes(u.protocol.replace(/:$/, ''))) {
        throw new OptionError(path, `a URL starting with ${o.protocols.map((p) => p + '://').join(' or ')}`, v)
      }
      if (u.username || u.password) throw new OptionError(path, 'a URL without credentials (put the key in its own option)', '<url with credentials>')
      return u
    })
  },

  /** An IP address or CIDR block: `127.0.0.1`, `10.0.0.0/8`, `fd00::/8`. */
  addressBlock(o: Common<string>): Spec<string> {
    return leaf('address', o, (v, path) => {
      if (typeof v !== 'string' || parseAddressBlock(v) === undefined) throw new OptionError(path, 'an IP address or CIDR block such as 10.0.0.0/8', v)
      return v
    })
  },

  /** A file or folder path, resolved against the YAML file's folder. */
  path(o: Common<string>): Spec<string> {
    return leaf('path', o, (v, path, ctx) => {
      if (typeof v !== 'string' || v === '') throw new OptionError(path, 'a file path', v)
      return isAbsolute(v) ? v : resolve(ctx.baseDir, v)
    })
  },

  /**
   * `${ENV_NAME}` or `file:./path`: never the secret itself in the YAML file. One line, blanks around it
   * ignored, unless `oneALine`: then several secrets, one a line, for the option's reader to split.
   */
  secret(o: Common<Secret> & { allowEmpty?: boolean; oneALine?: boolean }): Spec<Secret> {
    // A second line in a key is a mistake (two keys pasted, a note), and sent whole it fails every request.
    const lineCount = (value: string) => (o.oneALine ? 1 : value.split(/\r\n|\r|\n/).length)
    return leaf('secret', o, (v, path, ctx) => {
      if (typeof v !== 'string') throw new OptionError(path, 'a secret reference: ${ENV_NAME} or file:./path', typeof v)
      const env = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(v)
      if (env) {
        // Blanks alone (a stray newline) are no key, as a blank secret file is none.
        const value = ctx.env[env[1]!]?.trim()
        if (value === undefined || value === '') throw new OptionError(path, `environment variable ${env[1]} to be set and non-empty`)
        if (lineCount(value) > 1) throw new OptionError(path, `environment variable ${env[1]} to hold one line (it has ${lineCount(value)})`)
        return new Secret(value, `env:${env[1]}`)
      }
      if (v.startsWith('file:')) {
        const file = resolve(ctx.baseDir, v.slice(5))
        let read: { bytes: Buffer; mode: number }
        try {
          read = readRegularFileAndMode(file)
        } catch (e) {
          throw new OptionError(path, `a readable secret file (${(e as NodeJS.ErrnoException).code ?? 'unreadable'}: ${file})`)
        }
        const text = read.bytes.toString('utf8').trim()
        if (text === '' && !o.allowEmpty) throw new OptionError(path, `a non-empty secret file (${file} is empty)`)
        if (lineCount(text) > 1) throw new OptionError(path, `a secret file of one line (${file} has ${lineCount(text)} lines; only a tunnel's tokens take one a line)`)
        const others = secretReaders(read.mode)
        if (others) {
          const mode = `0${read.mode.toString(8).padStart(3, '0')}`
          ctx.warnings?.push({ path, kind: 'secret file readable by others', text: `${file} is readable by ${others} (mode ${mode}); chmod 600 it`, fields: { file, mode } })
        }
        return new Secret(text, `file:${file}`, file)
      }
      // The literal is not echoed back: it may be a real key pasted by mistake.
      throw new OptionError(path, 'a secret reference: ${ENV_NAME} or file:./path (a literal secret in the YAML file is refused)')
    })
  },

  obj<S extends Record<string, Spec<any>>>(fields: S, o: { doc: string; optional?: boolean }): Spec<{ [K in keyof S]: Infer<S[K]> }> {
    const required = Object.entries(fields).filter(([, s]) => !s.optional)
    type T = { [K in keyof S]: Infer<S[K]> }
    return {
      kind: 'object',
      doc: o.doc,
      // An object whose fields all have defaults (or are optional) may be left out whole.
      optional: o.optional === true || required.length === 0,
      hasDefault: false,
      fields,
      parse(value, path, ctx): T {
        if (value === undefined || value === null) {
          if (o.optional && required.length > 0) return undefined as unknown as T
          value = {}
        }
        if (typeof value !== 'object' || Array.isArray(value)) throw new OptionError(path, `a mapping (${o.doc})`, value)
        const input = value as Record<string, unknown>
        for (const key of Object.keys(input)) {
          // Own keys only: `toString` or `constructor` is no option either.
          if (!Object.hasOwn(fields, key)) {
            const near = closestName(key, Object.keys(fields))
            throw new UnknownOptionError([...path, key], `a known option${near ? ` (did you mean "${near}"?)` : ''}; known here: ${Object.keys(fields).join(', ')}`)
          }
        }
        const out: Record<string, unknown> = {}
        for (const [key, spec] of Object.entries(fields)) out[key] = spec.parse(input[key], [...path, key], ctx)
        return out as T
      },
    }
  },

  list<T>(item: Spec<T>, o: Common<T[]>): Spec<T[]> {
    const s = leaf('list', { default: [], ...o }, (v, path, ctx) => {
      if (!Array.isArray(v)) throw new OptionError(path, 'a list', v)
      return v.map((x, i) => item.parse(x, [...path, i], ctx))
    })
    return { ...s, item }
  },
}

/** Who besides its owner may read a file of permission bits `mode`, as ssh checks a private key (Windows has no such bits). */
function secretReaders(mode: number): string | undefined {
  if (process.platform === 'win32') return undefined
  const who = [mode & 0o040 ? 'its group' : '', mode & 0o004 ? 'others' : ''].filter(Boolean)
  return who.length ? who.join(' and ') : undefined
}

/** The declared name a typo most likely meant (at most 2 edits away), for "did you mean". */
function closestName(typo: string, names: string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const n of names) {
    const d = editDistance(typo.toLowerCase(), n.toLowerCase())
    if (d < bestDistance) [best, bestDistance] = [n, d]
  }
  return best
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length]!
}

// Keys that are not plain names (empty, spaces, punctuation) are quoted, so the message shows them.
const PLAIN_KEY = /^[A-Za-z_][\w-]*$/

export function formatPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : !PLAIN_KEY.test(p) ? `[${JSON.stringify(p)}]` : i === 0 ? p : `.${p}`)).join('') || '(top level)'
}

function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v)
  if (Array.isArray(v)) return 'a list'
  if (v === null) return 'null'
  if (typeof v === 'object') return 'a mapping'
  return String(v)
}

/** Every documented option path with its doc, for docs and the example-file test. */
export function describeOptions(spec: Spec<unknown>, prefix = ''): { path: string; kind: string; doc: string; fallback?: unknown }[] {
  const out: { path: string; kind: string; doc: string; fallback?: unknown }[] = []
  if (spec.fields) {
    for (const [k, s] of Object.entries(spec.fields)) {
      const p = prefix ? `${prefix}.${k}` : k
      out.push({ path: p, kind: s.kind, doc: s.doc, fallback: s.fallback })
      out.push(...describeOptions(s, p))
    }
  } else if (spec.item) {
    out.push(...describeOptions(spec.item, `${prefix}[]`))
  }
  return out
}

/** Reads a file that must exist, for options naming one. */
export function readRequiredFile(file: string, what: string): Buffer {
  try {
    return readRegularFile(file)
  } catch (e) {
    throw new Error(`${what}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? e})`)
  }
}
