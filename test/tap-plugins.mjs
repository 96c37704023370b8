// `npm test`'s first step after the build: has tap built its test class with the plugins package.json
// names? Right after `npm install` it has not, and tap's runner, which rebuilds it as a run starts, has by
// then taken its node arguments from the defaults: every test file of that first run loaded
// @tapjs/typescript's ts-node beside tsx and type-checked the program again (14-17 s a file instead of
// 3-4 s here). Building first, only when needed, spares that; `tap build` itself takes ≈ 10 s.
import { spawnSync } from 'node:child_process'

let built = false
try {
  const { TapConfig } = await import('@tapjs/config')
  const { signature } = await import('@tapjs/test')
  built = (await TapConfig.load()).pluginSignature === signature
} catch {
  // tap's internals moved: build to be sure
}
if (!built) {
  const r = spawnSync('npx', ['--no-install', 'tap', 'build'], { stdio: 'inherit' })
  process.exit(r.status ?? 1)
}
