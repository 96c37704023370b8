// `npm run build` (and `npm install`'s `prepare` step): bundles the TypeScript sources and the pure
// JavaScript dependencies into dist/gateway/cli/main.cjs, the program `fedgate` (gateway/cli/bin.mjs) runs.
// One file instead of ~400 cuts ~40% of a start's CPU (Node's ESM loader resolving and reading each file
// was two thirds of it). No type check here: `npm run typecheck` does that.
// - CommonJS, one file: bin.mjs runs it through a V8 code cache (gateway/cli/load-compiled.mjs), which
//   Node 20 offers for a script, not for an ES module. `node dist/gateway/cli/main.cjs …` runs it too.
// - External: lmdb (a native addon), and what is loaded only when used through createRequire/import()
//   (node-forge to make certificates, @keyv/redis for a Redis index): they stay in node_modules.
// - The sources' import.meta.url (the admin page files under plugins/admin/assets, demo's bin.mjs) is the
//   bundle's own URL: main.cjs sits in dist/gateway/cli/, where their relative URLs resolve as from the sources.
import { build } from 'esbuild'
import { rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const repo = fileURLToPath(new URL('../..', import.meta.url))
const undiciCore = fileURLToPath(new URL('./undici-core.cjs', import.meta.url))

/** `undici` imported by fedgate's sources resolves to gateway/build/undici-core.cjs, if this undici has those files. */
const undiciCorePlugin = {
  name: 'undici-core',
  setup(b) {
    try {
      const req = createRequire(undiciCore)
      for (const f of ['dispatcher/dispatcher', 'api', 'dispatcher/pool', 'dispatcher/agent', 'core/util', 'core/errors']) req.resolve(`undici/lib/${f}`)
    } catch {
      return
    }
    b.onResolve({ filter: /^undici$/ }, (args) => (args.importer === undiciCore ? undefined : { path: undiciCore }))
  },
}
rmSync(new URL('../../dist/', import.meta.url), { recursive: true, force: true })
await build({
  absWorkingDir: repo,
  entryPoints: { main: 'gateway/cli/main.ts' },
  outdir: 'dist/gateway/cli',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['lmdb', 'node-forge', '@keyv/redis'],
  plugins: [undiciCorePlugin],
  // No import() left in the bundle (the sources load node-forge and @keyv/redis with createRequire): a
  // vm.Script (load-compiled.mjs) could import() only through vm's experimental loader option, which
  // warns, and fails outright under a loader hook (NODE_OPTIONS=--import …).
  supported: { 'dynamic-import': false },
  // CommonJS has no import.meta: the sources' import.meta.url is the bundle's file URL. The banner comes
  // before esbuild's "use strict", which is then no directive: it says it first, so that the program stays
  // strict code, as the sources (ES modules) are.
  define: { 'import.meta.url': '__fedgateUrl' },
  banner: { js: "'use strict';const __fedgateUrl = require('node:url').pathToFileURL(__filename).href;" },
  // ws's optional native helpers (bufferutil, utf-8-validate) are require()d in a try: absent is fine.
  logOverride: { 'require-resolve-not-external': 'silent' },
  // No comments or indentation: the source text stays in memory; names are kept for stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  // Licence comments go to main.cjs.LEGAL.txt: one non-ASCII character in main.cjs makes V8 keep its whole
  // source text two bytes a character.
  legalComments: 'external',
  logLevel: 'warning',
})
