// `npm run build` (and `npm install`'s `prepare` step): bundles the TypeScript sources and the pure
// JavaScript dependencies into dist/gateway/cli/main.js, the program `fedgate` (gateway/cli/bin.mjs) runs.
// One file instead of ~400 cuts ~40% of a start's CPU (Node's ESM loader resolving and reading each file
// was two thirds of it). No type check here: `npm run typecheck` does that.
// - Chunks: a module the sources import() dynamically lands in a chunk beside main.js, loaded when used.
// - External: lmdb (a native addon), and what is loaded only when used through createRequire/import()
//   (node-forge to make certificates, @keyv/redis for a Redis index): they stay in node_modules.
// - Everything lands in dist/gateway/cli/, where the sources' relative URLs (import.meta.url: the admin
//   page files under plugins/admin/assets, demo's bin.mjs) resolve the same way from every chunk.
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
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['lmdb', 'node-forge', '@keyv/redis'],
  plugins: [undiciCorePlugin],
  // The bundled CommonJS dependencies require() Node's own modules: ESM output has no `require`.
  banner: { js: "import { createRequire as __fedgateRequire } from 'node:module'; const require = __fedgateRequire(import.meta.url);" },
  // ws's optional native helpers (bufferutil, utf-8-validate) are require()d in a try: absent is fine.
  logOverride: { 'require-resolve-not-external': 'silent' },
  // No comments or indentation: the source text stays in memory; names are kept for stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  // Licence comments go to main.js.LEGAL.txt: one non-ASCII character in main.js makes V8 keep its whole
  // source text two bytes a character.
  legalComments: 'external',
  logLevel: 'warning',
})
