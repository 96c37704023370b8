import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseDocument, LineCounter, isMap, isSeq, isPair, isScalar, type Node } from 'yaml'
import { parseConfig, siteSpec } from '../gateway/config/load.ts'
import { describeOptions } from '../gateway/config/options.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { tempDir } from './helpers/sites.ts'
import { exampleFiles } from './helpers/example-files.ts'

const EXAMPLE = new URL('../config.example.yaml', import.meta.url).pathname
const text = readFileSync(EXAMPLE, 'utf8')

/** Every key path in the document (list items as `[]`), with the line the key is on. */
function keyPaths(node: Node | null | undefined, prefix: string, lines: LineCounter, out: Map<string, number>): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue
      const path = prefix ? `${prefix}.${String(pair.key.value)}` : String(pair.key.value)
      out.set(path, lines.linePos(pair.key.range![0]).line)
      keyPaths(pair.value as Node, path, lines, out)
    }
  } else if (isSeq(node)) {
    for (const item of node.items) keyPaths(item as Node, `${prefix}[]`, lines, out)
  }
}

t.test('config.example.yaml is valid for the real loader', async (t) => {
  const dir = tempDir(t)
  const copy = join(dir, 'config.example.yaml')
  writeFileSync(copy, text)
  // The files the example names (secrets, SNI certificates) are made in the copy's folder; ${VARS} get a value.
  const env = exampleFiles(dir, text, 'example')
  const config = parseConfig(text, copy, builtinPlugins, env)
  t.equal(config.site.name, 'tokyo')
})

t.test('every declared option appears in config.example.yaml, with a comment', async (t) => {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines })
  const present = new Map<string, number>()
  keyPaths(doc.contents as Node, '', lines, present)
  const sourceLines = text.split('\n')
  const declared = describeOptions(siteSpec(builtinPlugins))
  t.ok(declared.length > 40, 'the walk found the options')
  const missing = declared.filter((o) => !present.has(o.path)).map((o) => `${o.path} — ${o.doc}`)
  t.same(missing, [], 'undocumented options (add each to config.example.yaml with a one-line comment)')
  const uncommented = declared
    .filter((o) => present.has(o.path))
    .filter((o) => {
      const line = present.get(o.path)!
      return !sourceLines[line - 1]!.includes(' # ') && !/^\s*#/.test(sourceLines[line - 2] ?? '')
    })
    .map((o) => o.path)
  t.same(uncommented, [], 'options without a comment on their line (or the line above)')
  const undeclared = [...present.keys()].filter((p) => !declared.some((o) => o.path === p))
  t.same(undeclared, [], 'keys in the example that are not declared options')
})
