// Property: any document given to the YAML loader yields either a configuration or a ConfigError
// naming file:line:col (with its line), never another exception and never a crash. Documents come
// from three generators: YAML-ish text built from the syntax's pieces, random values (under the
// declared option names, or anywhere) written out as YAML, and mutations of config.example.yaml.
import t from 'tap'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { ConfigError, parseConfig, siteSpec } from '../gateway/config/load.ts'
import { describeOptions } from '../gateway/config/options.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { tempDir } from './helpers/sites.ts'
import { biased, holds } from './helpers/fuzz.ts'
import { exampleFiles } from './helpers/example-files.ts'

const EXAMPLE = readFileSync(new URL('../config.example.yaml', import.meta.url), 'utf8')

const dir = tempDir(t)
const file = join(dir, 'site.yaml')
// The files the example names exist, so that its mutations can also be valid configurations.
const env = exampleFiles(dir, EXAMPLE, 'fuzz')

/** Throws (failing the property) unless `text` loads into a configuration or a located ConfigError. */
let loaded = 0
function configOrLocatedError(text: string): boolean {
  try {
    const config = parseConfig(text, file, builtinPlugins, env)
    if (typeof config.site?.name !== 'string') throw new Error('a configuration without a site name')
    loaded++
    return true
  } catch (e) {
    if (!(e instanceof ConfigError)) throw new Error(`not a ConfigError: ${(e as Error)?.stack ?? e}`)
    if (!/^site\.yaml:\d+:\d+: \S/.test(e.message)) throw new Error(`no file:line:col: ${e.message}`)
    const lines = text.split(/\r\n|\r|\n/).length
    if (e.line === undefined || e.line < 1 || e.line > lines + 1) throw new Error(`line ${e.line} outside the document's ${lines} lines: ${e.message}`)
    return true
  }
}

const YAMLISH = [
  '\n', '\n', '\n', ' ', '  ', '    ', ': ', ':', '- ', '-', '? ', ',', '[', ']', '{', '}', '"', "'", '#', '|', '>', '---\n', '...\n',
  '&a ', '*a', '&b ', '*b', '*nope', '<<: ', '!!str ', '!!map ', '!!seq ', '!!binary ', '!!set ', '!!omap ', '!custom ', '%YAML 1.1\n',
  '%TAG ! tag:x:\n', '\t', '\r\n', '\\', '~', 'null', 'true', 'no', '0x1F', '1e400', '-0', '.inf', '.nan', '5s', '500ms', '1KiB', '-3',
  'site', 'name', 'role', 'root', 'child', 'url', 'key', 'listen', 'https', 'port', 'tls', 'limits', 'npm', 'packages', 'tunnels',
  'hub', 'sync', 'repositories', 'forward', '__proto__', 'constructor', 'toString', '${FEDGATE_ROOT_KEY}', '${UNSET}', 'file:./secrets/federation-secret.txt',
  'file:./nowhere', 'https://root.example', 'http://[::1', 'tokyo', 'é', '😀', '\u0000', '\uFEFF',
]
const yamlish = biased(YAMLISH, 40)

// Every declared option path (list items as []), to put random values where the loader will look.
const PATHS = describeOptions(siteSpec(builtinPlugins)).map((o) => o.path)
const leafValue = fc.oneof(
  fc.constantFrom('tokyo', 'root', 'child', 'https://root.example', '5s', '0', '64KiB', '${FEDGATE_ROOT_KEY}', 'file:./secrets/federation-secret.txt', '@acme/*', 'acme/*', '127.0.0.1', 'all', 'newest 3'),
  fc.jsonValue({ maxDepth: 2 }),
)
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.').flatMap((k) => (k.endsWith('[]') ? [k.slice(0, -2), 0] : [k]))
  let node: Record<string | number, unknown> = target
  keys.forEach((k, i) => {
    if (i === keys.length - 1) return void (node[k] = value)
    const next = keys[i + 1]
    if (typeof node[k] !== 'object' || node[k] === null) node[k] = typeof next === 'number' ? [] : {}
    node = node[k] as Record<string | number, unknown>
  })
}
const declaredValues = fc
  .array(fc.tuple(fc.constantFrom(...PATHS), leafValue), { maxLength: 12 })
  .map((entries) => {
    const doc: Record<string, unknown> = { site: { name: 'tokyo', role: 'root' } }
    for (const [path, value] of entries) setPath(doc, path, value)
    return stringify(doc)
  })
const anyValues = fc.anything({ maxDepth: 3, withNullPrototype: true }).map((v) => {
  try {
    return stringify(v) ?? ''
  } catch {
    return String(v)
  }
})

// config.example.yaml with a few lines deleted, duplicated, swapped, re-indented or spliced with pieces.
const LINES = EXAMPLE.split('\n')
const mutation = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ op: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ op: fc.constant('value' as const), at: fc.nat(), piece: fc.oneof(fc.constantFrom(...YAMLISH), leafValue.map((v) => JSON.stringify(v) ?? 'null')) }),
  fc.record({ op: fc.constant('splice' as const), at: fc.nat(), col: fc.nat(), piece: fc.constantFrom(...YAMLISH) }),
)
const mutatedExample = fc.array(mutation, { minLength: 1, maxLength: 4 }).map((ms) => {
  const lines = [...LINES]
  for (const m of ms) {
    const i = m.at % lines.length
    const line = lines[i]!
    if (m.op === 'delete') lines.splice(i, 1)
    else if (m.op === 'duplicate') lines.splice(i, 0, line)
    else if (m.op === 'swap') [lines[i], lines[m.with % lines.length]] = [lines[m.with % lines.length]!, line]
    else if (m.op === 'indent') lines[i] = m.by >= 0 ? ' '.repeat(m.by) + line : line.replace(new RegExp(`^ {0,${-m.by}}`), '')
    else if (m.op === 'value') lines[i] = line.replace(/:\s.*$/, `: ${m.piece}`)
    else lines[i] = line.slice(0, m.col % (line.length + 1)) + m.piece + line.slice(m.col % (line.length + 1))
  }
  return lines.join('\n')
})

// Nesting far past anything a site file needs, flow and block: refused, however many times in one process.
const deeplyNested = fc.tuple(fc.integer({ min: 1, max: 2_000 }), fc.constantFrom('flow', 'map', 'block', 'seq')).map(([n, kind]) => {
  if (kind === 'flow') return '['.repeat(n) + ']'.repeat(n)
  if (kind === 'map') return '{a: '.repeat(n) + '}'.repeat(n)
  if (kind === 'seq') return '- '.repeat(n) + 'x'
  return Array.from({ length: n }, (_, i) => ' '.repeat(i) + 'a:').join('\n')
})

t.test('the unmutated example loads (the mutations start from a valid configuration)', async (t) => {
  t.equal(parseConfig(EXAMPLE, file, builtinPlugins, env).site.name, 'tokyo')
})

t.test('any document loads or is refused with file:line:col', async (t) => {
  await holds(t, 'YAML-ish text', fc.property(yamlish, configOrLocatedError), 2_000)
  await holds(t, 'random values anywhere', fc.property(anyValues, configOrLocatedError), 1_000)
  await holds(t, 'any string', fc.property(fc.string({ unit: 'binary', maxLength: 200 }), configOrLocatedError), 1_000)
  await holds(t, 'deeply nested documents', fc.property(deeplyNested, configOrLocatedError), 60)
  // These two reach past the syntax into validation: some of their documents must load.
  for (const [what, documents, runs] of [['random values under the declared option names', declaredValues, 500], ['mutations of config.example.yaml', mutatedExample, 400]] as const) {
    loaded = 0
    await holds(t, what, fc.property(documents, configOrLocatedError), runs)
    t.ok(loaded > runs / 20, `${what}: ${loaded} of ${runs} loaded, the rest were refused`)
  }
})
