// `npm start`: a root and a child on localhost with generated certificates, and what to try.
import { mkdirSync, writeFileSync, existsSync, openSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { builtinPlugins } from '../../plugins/index.ts'
import { loadConfigFile } from '../config/load.ts'
import { startGateway } from '../gateway.ts'
import pino from 'pino'

const BIN = fileURLToPath(new URL('./bin.mjs', import.meta.url))

export const DEMO_PORTS = { root: 9443, child: 8443, childHttp: 8080 }

export function writeDemoConfigs(dir: string, ports = DEMO_PORTS): { root: string; child: string } {
  mkdirSync(join(dir, 'secrets'), { recursive: true })
  const keyFile = join(dir, 'secrets', 'root.key')
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 })
  const root = join(dir, 'root.yaml')
  const child = join(dir, 'child.yaml')
  writeFileSync(
    root,
    `# The demo's root hub.
site: { name: demo-root, role: root }
listen:
  https: { host: 127.0.0.1, port: ${ports.root} }
tls: { dir: certs }
`,
  )
  writeFileSync(
    child,
    `# The demo's child site: forwards to the root with a low-privilege key.
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
`,
  )
  return { root, child }
}

export async function runDemo(dirArg: string): Promise<void> {
  const dir = resolve(dirArg)
  const files = writeDemoConfigs(dir)
  // One local CA for both sites, so the child trusts the root and curl trusts both.
  const log = openSync(join(dir, 'root.log'), 'a')
  const rootProc = spawn(process.execPath, [BIN, 'start', '--config', files.root], { stdio: ['ignore', log, log] })
  rootProc.on('exit', (code, sig) => console.log(`\n[demo] root exited (${sig ?? code}); the child keeps running — try the commands again.`))
  await waitForFile(join(dir, 'certs', 'demo-root.crt'))
  const child = await startGateway(loadConfigFile(files.child, builtinPlugins), {
    plugins: builtinPlugins,
    noSignals: true,
    logDestination: pino.destination({ dest: join(dir, 'child.log'), sync: false }),
  })
  const ca = join(dir, 'certs', 'ca.crt')
  console.log(`
fedgate demo is up
  root   https://localhost:${DEMO_PORTS.root}   (pid ${rootProc.pid}, log ${join(dir, 'root.log')})
  child  https://localhost:${child.httpsPort}   (this process, log ${join(dir, 'child.log')})
  local CA ${ca}

Try:
  curl --cacert ${ca} https://localhost:${child.httpsPort}/health
  curl --cacert ${ca} https://localhost:${child.httpsPort}/anything      # forwarded to the root
  curl -i http://localhost:${DEMO_PORTS.childHttp}/health                 # redirected to HTTPS
  curl -i --cacert ${ca} -X POST https://localhost:${child.httpsPort}/x   # writes are refused
Stop the root and watch what still works:
  kill ${rootProc.pid}
  curl -i --cacert ${ca} https://localhost:${child.httpsPort}/anything   # 503 + Retry-After at once
  curl --cacert ${ca} https://localhost:${child.httpsPort}/health        # root: down
Ctrl-C stops both.
`)
  const stop = () => {
    rootProc.kill('SIGTERM')
    child.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

async function waitForFile(file: string): Promise<void> {
  for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100))
  if (!existsSync(file)) throw new Error(`the root did not start; see its log`)
}
