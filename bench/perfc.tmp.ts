import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { startBenchOrigin, jsonBody } from './lib/origin.ts'
import { benchDir, forwardingChildYaml, startBenchSite } from './lib/site.ts'
import { buildCompiled, startTimed } from './lib/compiled.ts'
const origin = await startBenchOrigin(jsonBody(1024))
const { dir } = benchDir()
writeFileSync(join(dir, 'root.key'), 'fgk_bench_' + 'k'.repeat(32) + '\n', { mode: 0o600 })
const site = await startBenchSite(forwardingChildYaml('bench', origin.url, ''), { dir })
const bin = buildCompiled()
writeFileSync(join(dir, `p.yaml`), forwardingChildYaml(`p`, origin.url, `forward: { connections: 128 }\n`))
const p = await startTimed(['--perf-basic-prof-only-functions', '--interpreted-frames-native-stack', bin, 'start', '--config', `p.yaml`], { cwd: dir, ca: readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8'), logFile: join(dir, `p.log`) })
const url = `http://127.0.0.1:${p.http}/api/v1/repos/mozilla/firefox`
const c = spawn('npx', ['autocannon', '-c', '50', '-d', '10', url], { stdio: ['ignore', 'ignore', 'inherit'] })
await new Promise((r) => setTimeout(r, 3000))
const pr = spawn('perf', ['record', '-F', '2000', '-g', '-o', '/tmp/perf-c.data', '-p', String(p.proc.pid), '--', 'sleep', '5'], { stdio: 'inherit' })
await new Promise((r) => pr.on('exit', r))
await new Promise((r) => c.on('exit', r))
await p.stop(); await site.close(); await origin.close()
process.exit(0)
