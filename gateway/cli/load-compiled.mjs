// Runs dist/'s bundle (CommonJS, gateway/build/build.mjs) through a V8 code cache kept beside it.
// Compiling the 1.2 MB bundle and the functions a start runs was a fifth of start → first answer
// (docs/benchmarks.md, startup); with the cache V8 reads their bytecode instead. Node 20 has no
// module.enableCompileCache and caches no ES module, hence a vm.Script of the CommonJS build.
// - The cache is written by a site once it has started and served a little (KEEP_AFTER_MS), so it holds
//   the functions a start and the first requests use, not only the bundle's top level.
// - It is written only when missing or refused: V8 refuses one made by another V8 or under other V8 flags
//   (a user's own node flags), and this one is made again under the current ones.
// - Its name carries the bundle's size and time, since V8 checks only the source's length (a rebuilt bundle
//   of the same length must not meet an old cache; the build also empties dist/), and a digest of node's
//   own arguments (process.execArgv, NODE_OPTIONS): each set of V8 flags keeps its own cache, where one
//   shared file would be refused and remade at every other start (bench/startup.ts runs both).
// - Written to a temporary name, then renamed: a reader never sees half of one. Where dist/ is not
//   writable (an install owned by another user), there is no cache and the bundle is compiled as before.
// NODE_DEBUG=fedgate-code-cache says which happened.
import { createHash } from 'node:crypto'
import { closeSync, fstatSync, openSync, readFileSync, rename, unlink, writeFile } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { debuglog } from 'node:util'
import vm from 'node:vm'

const debug = debuglog('fedgate-code-cache')

/** After the start, time for the first requests (a probe, /health) to compile their functions too. */
const KEEP_AFTER_MS = 2000

/**
 * Runs the CommonJS `file` as Node's loader would; keeps its code cache KEEP_AFTER_MS after `process`
 * emits `keepOn`. Returns what keeps it at once (when it is to be kept): V8 stamps a cache with the flags
 * in force when it is made, so a caller about to change one (bin.mjs, under load) keeps it first, else
 * every later start would refuse it.
 */
export function loadCompiled(file, keepOn) {
  const fd = openSync(file, 'r')
  let source, stat
  try {
    stat = fstatSync(fd)
    source = readFileSync(fd, 'utf8')
  } finally {
    closeSync(fd)
  }
  const flags = createHash('sha256').update(`${process.execArgv.join('\0')}\0${process.env.NODE_OPTIONS ?? ''}`).digest('hex').slice(0, 12)
  const cacheFile = `${file}.${stat.size}-${Math.trunc(stat.mtimeMs)}-${flags}.v8cache`
  let cachedData
  try {
    cachedData = readFileSync(cacheFile)
  } catch {
    // none yet (or unreadable): compiled from source, and kept after the start
  }
  // One line, so the bundle's line numbers in stack traces stay its own.
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n})`
  // No importModuleDynamically: the build leaves no import() in the bundle (build.mjs).
  const script = new vm.Script(wrapped, { filename: file, cachedData })
  debug(cachedData === undefined ? 'none: compiled from source' : script.cachedDataRejected ? 'refused by V8: compiled from source' : 'used', cacheFile)
  let keepNow = () => {}
  if (cachedData === undefined || script.cachedDataRejected) {
    let timer
    keepNow = () => {
      keepNow = () => {}
      clearTimeout(timer)
      keepCache(script, cacheFile)
    }
    process.once(keepOn, () => (timer = setTimeout(() => keepNow(), KEEP_AFTER_MS).unref()))
  }
  const module = { exports: {}, filename: file, id: '.' }
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file))
  return () => keepNow()
}

function keepCache(script, cacheFile) {
  const temporary = `${cacheFile}.${process.pid}.tmp`
  writeFile(temporary, script.createCachedData(), { mode: 0o644 }, (err) => {
    if (err) {
      debug('not kept:', err.code)
      return unlink(temporary, () => {})
    }
    rename(temporary, cacheFile, (e) => {
      debug(e ? `not kept: ${e.code}` : 'kept', cacheFile)
      if (e) unlink(temporary, () => {})
    })
  })
}
