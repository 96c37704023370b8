// `fedgate` (bin.mjs, the compiled dist/ that `npm test` builds first) keeps WebAssembly on V8's baseline
// compiler: undici's HTTP parser (llhttp, WebAssembly) is never recompiled by TurboFan, whose scratch memory
// would stay in the process for good (≈ 10 MiB of an idle site's RSS, docs/benchmarks.md, startup). Seen
// through V8's own trace (--trace-wasm-compilation-times: a line per function compiled, naming the
// compiler) while a site forwards hundreds of answers. The control, a site started with the user's
// --no-liftoff-only, is tiered up within less traffic (here its own root probe is enough): their flag wins,
// and the held site's traffic would have tiered it up too.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { startOrigin, tempDir, writeSecret } from './helpers/sites.ts'
import { startProcess, type SiteProcess } from './helpers/process.ts'

const BIN = fileURLToPath(new URL('../gateway/cli/bin.mjs', import.meta.url))
const TRACE = '--trace-wasm-compilation-times'
/** Answers forwarded by the site on the baseline compiler: V8 tiers the parser up after a few dozen. */
const ANSWERS = 400
/** Bound on the answers the control site may need before its first TurboFan line. */
const CONTROL_BOUND = 5000

const tieredUp = (p: SiteProcess) => p.lines.some((l) => typeof l.msg === 'string' && / using TurboFan/.test(l.msg))

async function forward(p: SiteProcess, n: number, until?: () => boolean): Promise<number> {
  const port = p.lines.find((l) => l.msg === 'fedgate listening')!.http as number
  let i = 0
  for (; i < n && !until?.(); i++) {
    const res = await request(`http://127.0.0.1:${port}/api/v1/repos/acme/app`)
    await res.body.text()
    if (res.statusCode !== 200) throw new Error(`forwarded answer ${i}: ${res.statusCode}`)
  }
  return i
}

t.test("fedgate keeps undici's WebAssembly HTTP parser on the baseline compiler while forwarding; the user's --no-liftoff-only wins", async (t) => {
  const origin = await startOrigin(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', etag: '"v1"', 'x-request-id': 'abc' })
    res.end(JSON.stringify({ name: 'acme/app', tags: Array.from({ length: 20 }, (_, i) => `1.${i}`) }))
  })
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_test_' + 'k'.repeat(32))
  const yaml = (name: string) => {
    writeFileSync(
      join(dir, `${name}.yaml`),
      `site: { name: ${name}, role: child }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\n  http: { host: 127.0.0.1, port: 0, redirectToHttps: false }\ntls: { dir: certs, watch: false }\nroot:\n  url: ${origin.url}\n  key: file:./root.key\n  allowPlainHttpKey: true\n`,
    )
    return join(dir, `${name}.yaml`)
  }
  const held = await startProcess(t, yaml('held'), { program: [TRACE, BIN], cwd: dir })
  const own = await startProcess(t, yaml('own'), { program: [TRACE, '--no-liftoff-only', BIN], cwd: dir })

  t.equal(await forward(held, ANSWERS), ANSWERS, `fedgate start forwarded ${ANSWERS} answers`)
  // The control's traffic also gives a tier-up the held site had queued time to finish and be traced.
  const needed = await forward(own, CONTROL_BOUND, () => tieredUp(own))
  t.ok(tieredUp(own), `with the user's --no-liftoff-only, TurboFan recompiled the parser (after ${needed} answers)`)
  t.ok(needed < ANSWERS, `the control needed fewer answers (${needed}) than the held site was given (${ANSWERS})`)
  t.notOk(tieredUp(held), 'fedgate start: no function was recompiled by TurboFan')
})
