// `npm start`: a root and a child on localhost with generated certificates, a sample repository
// published at the root and synchronized to the child, and what to try.
import { mkdirSync, writeFileSync, existsSync, openSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { spawn, execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { logDestination } from '../log.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import { loadConfigFile } from '../config/load.ts'
import { startGateway } from '../gateway.ts'

// The program this process runs, of the same kind: compiled (`fedgate`, bin.mjs, which sets its V8 flags
// and loads dist/gateway/cli/main.cjs, this bundle), or the sources under the same loader flags.
const MAIN = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './main.ts' : '../../../gateway/cli/bin.mjs', import.meta.url))
const self = (args: string[]) => [...process.execArgv, MAIN, ...args]

export const DEMO_PORTS = { root: 9443, child: 8443, childHttp: 8080 }
export const DEMO_REPO = 'demo/hello'

export function writeDemoConfigs(dir: string, ports = DEMO_PORTS): { root: string; child: string } {
  mkdirSync(join(dir, 'secrets'), { recursive: true })
  const root = join(dir, 'root.yaml')
  const child = join(dir, 'child.yaml')
  writeFileSync(
    root,
    `# The demo's root hub: stores repositories, issues keys, serves the hub API.
site: { name: demo-root, role: root }
listen:
  https: { host: 127.0.0.1, port: ${ports.root} }
tls: { dir: certs }
`,
  )
  writeFileSync(
    child,
    `# The demo's child site: serves ${DEMO_REPO} from its own store, forwards the rest with a read key.
site: { name: demo-child, role: child }
listen:
  https: { host: 127.0.0.1, port: ${ports.child} }
  http: { host: 127.0.0.1, port: ${ports.childHttp}, redirectToHttps: true }
tls: { dir: certs }
root:
  url: https://localhost:${ports.root}
  key: file:./secrets/root.key
  ca: certs/ca.crt
  health: { interval: 2s }
repositories: [${DEMO_REPO}]
sync: { interval: 10s }
`,
  )
  return { root, child }
}

/** The same commands a user runs: `fedgate keys create` and `fedgate publish`. */
function fedgate(args: string[]): string {
  return execFileSync(process.execPath, self(args), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
}

function createKey(config: string, name: string, scope: string, file: string): string {
  if (existsSync(file)) return file
  const out = fedgate(['keys', 'create', '--config', config, '--name', name, '--scope', scope])
  const key = out.split('\n').find((l) => /^fgk_/.test(l))
  if (!key) throw new Error(`the demo could not create a ${scope} key`)
  writeFileSync(file, key + '\n', { mode: 0o600 })
  return file
}

export async function runDemo(dirArg: string): Promise<void> {
  const dir = resolve(dirArg)
  const files = writeDemoConfigs(dir)
  // The child's read key, issued by the root; and an admin key of the child's own, for `fedgate repos`.
  createKey(files.root, 'demo-child', 'read', join(dir, 'secrets', 'root.key'))
  const adminKeyFile = createKey(files.child, 'demo-admin', 'admin', join(dir, 'secrets', 'child-admin.key'))
  const sample = join(dir, 'hello.bin')
  writeFileSync(sample, 'hello from the fedgate demo root\n'.repeat(2048))
  fedgate(['publish', '--config', files.root, `${DEMO_REPO}:1.0`, sample])

  const log = openSync(join(dir, 'root.log'), 'a')
  const rootProc = spawn(process.execPath, self(['start', '--config', files.root]), { stdio: ['ignore', log, log] })
  rootProc.on('exit', (code, sig) => console.log(`\n[demo] root exited (${sig ?? code}); the child keeps serving ${DEMO_REPO} — try the commands again.`))
  await waitForFile(join(dir, 'certs', 'demo-root.crt'))
  const child = await startGateway(loadConfigFile(files.child, builtinPlugins), {
    plugins: builtinPlugins,
    noSignals: true,
    logDestination: logDestination(join(dir, 'child.log')),
  })
  const ca = join(dir, 'certs', 'ca.crt')
  const c = `curl --cacert ${ca}`
  const u = `https://localhost:${child.httpsPort}`
  const tries = (rows: [string, string][]) => {
    const width = Math.max(...rows.map(([cmd]) => cmd.length))
    return rows.map(([cmd, why]) => (why ? `  ${cmd.padEnd(width)}   # ${why}` : `  ${cmd}`)).join('\n')
  }
  console.log(`
fedgate demo is up
  root   https://localhost:${DEMO_PORTS.root}   (pid ${rootProc.pid}, log ${join(dir, 'root.log')})
  child  ${u}   (this process, log ${join(dir, 'child.log')})
  local CA ${ca}
  ${DEMO_REPO}:1.0 was published at the root and is synchronized to the child.

Try:
${tries([
  [`${c} ${u}/health`, 'a bare status; the detail takes an admin key:'],
  [`${c} -H "Authorization: Bearer $(cat ${adminKeyFile})" ${u}/health`, ''],
  [`npx fedgate repos list --config ${files.child} --key-file ${adminKeyFile}`, "the child's synchronized repositories"],
  [`${c} ${u}/api/v1/repos/${DEMO_REPO}`, "served from the child's own store"],
  [`${c} ${u}/api/v1/repos/${DEMO_REPO}/images/1.0/content | head -2`, ''],
  [`${c} -i ${u}/api/v1/repos/other/thing`, 'not synchronized: forwarded to the root (which has no such repository)'],
  [`curl -i http://localhost:${DEMO_PORTS.childHttp}/health`, 'redirected to HTTPS'],
  [`${c} -i -X POST ${u}/x`, 'writes are refused'],
])}
Publish a new tag at the root; the root announces it on its change stream and the child has it within a second or two:
  npx fedgate publish --config ${files.root} ${DEMO_REPO}:2.0 ./package.json
Stop the root and watch what still works:
${tries([
  [`kill ${rootProc.pid}`, ''],
  [`${c} ${u}/api/v1/repos/${DEMO_REPO}`, 'still served'],
  [`${c} -i ${u}/api/v1/repos/other/thing`, '503 + Retry-After at once'],
  [`${c} ${u}/health`, 'status: degraded (with the admin key: root: down)'],
])}
Ctrl-C stops both.
`)
  const stop = () => {
    rootProc.kill('SIGTERM')
    child.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  // Its terminal closing ends it too: it ran for that terminal (else it kept the demo's fixed ports).
  process.once('SIGHUP', stop)
}

async function waitForFile(file: string): Promise<void> {
  for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100))
  if (!existsSync(file)) throw new Error('the root did not start; see its log')
}
