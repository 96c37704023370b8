// fedgate <command> [options]: the command line. Plugins add their own commands (plugin.commands).
import { parseArgs } from 'node:util'
import { builtinPlugins } from '../../plugins/index.ts'
import { loadConfigFile, ConfigError } from '../config/load.ts'
import { startGateway } from '../gateway.ts'
import { ensureSiteCertificates } from '../tls/certificates.ts'
import { certificateFindings } from '../tls/certificate-check.ts'
import { basename } from 'node:path'
import { runDemo } from './demo.ts'
import { reportListening, runPrimary, workerCount } from '../cluster.ts'
import cluster from 'node:cluster'
import { statusCommand } from './status.ts'
import type { CliCommand } from '../plugin-api.ts'

const core: Record<string, CliCommand> = {
  start: {
    summary: 'start --config site.yaml [--workers N|auto]   run the site (N processes sharing its listeners)',
    options: { config: { type: 'string', short: 'c' }, workers: { type: 'string' } },
    async run({ config, values }) {
      const c = config()
      const workers = workerCount(values.workers === undefined ? c.workers : parseWorkers(values.workers))
      if (workers > 1 && cluster.isPrimary) return runPrimary(c, workers)
      await startGateway(c, { plugins: builtinPlugins })
      reportListening()
      // Start-up is over: `fedgate` (bin.mjs) lets V8 grow the young generation again from here.
      process.emit('fedgate:started' as never)
      return 'running'
    },
  },
  check: {
    summary: 'check --config site.yaml          validate the file and the certificates; exit 2 with the problem',
    options: { config: { type: 'string', short: 'c' } },
    async run({ config }) {
      const c = config()
      const file = basename(c.file)
      const found = certificateFindings(c)
      for (const w of c.warnings) process.stderr.write(`fedgate: warning: ${w.where}: ${w.option}: ${w.text}\n`)
      for (const w of found.warnings) process.stderr.write(`fedgate: warning: ${file}: ${w}\n`)
      for (const e of found.errors) process.stderr.write(`fedgate: ${file}: ${e}\n`)
      if (found.errors.length) return 2
      console.log(`ok: ${c.file}: site ${c.site.name} (${c.site.role})${c.root ? `, root ${c.root.url.origin}` : ''}`)
      for (const n of found.notes) console.log(`  ${n}`)
    },
  },
  certs: {
    summary: 'certs --config site.yaml          create the local CA and the site certificate if absent',
    options: { config: { type: 'string', short: 'c' } },
    async run({ config }) {
      const c = config()
      const r = ensureSiteCertificates(c)
      if (r.leftovers?.outcome === 'complete') console.log(`completed (a crash had cut its generation short):\n  ${r.cert}\n  ${r.key}`)
      if (r.leftovers?.outcome === 'discard') console.log(`removed what a crash left of a generation (${r.cert} is not one fedgate generated: kept):\n  ${r.leftovers.files.join('\n  ')}`)
      console.log(r.created.length ? `created${r.renewed ? ` (the site certificate again: ${r.renewed})` : ''}:\n  ${r.created.join('\n  ')}` : `already present: ${r.cert}`)
      console.log(`clients trust: ${r.ca}`)
    },
  },
  status: statusCommand,
  demo: {
    summary: 'demo [--dir .fedgate/demo]          a local root and child with generated certificates',
    options: { dir: { type: 'string' } },
    async run({ values }) {
      await runDemo(typeof values.dir === 'string' ? values.dir : '.fedgate/demo')
      return 'running'
    },
  },
}

const commands: Record<string, CliCommand> = { ...core }
for (const p of builtinPlugins) Object.assign(commands, p.commands ?? {})

function usage(): string {
  return `usage: fedgate <command> [options]\n\n${Object.values(commands)
    .map((c) => `  fedgate ${c.summary}`)
    .join('\n')}\n`
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  const cmd = name ? commands[name] : undefined
  if (!cmd) {
    // Asked for: the usage is the answer (stdout, 0). No command or an unknown one is a mistake (stderr, 2).
    if (name === 'help' || name === '--help' || name === '-h') {
      process.stdout.write(usage())
      return 0
    }
    process.stderr.write((name ? `fedgate: unknown command "${name}"\n\n` : 'fedgate: a command is needed\n\n') + usage())
    return 2
  }
  // `fedgate check --help`: asked for, the command's usage is the answer (stdout, 0), whatever else is given.
  const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest
  if (own.includes('--help') || own.includes('-h')) {
    process.stdout.write(`usage: fedgate ${cmd.summary}\n`)
    return 0
  }
  const { values, positionals } = parseCommandLine(name!, cmd, rest)
  const config = () => {
    if (typeof values.config !== 'string') throw new UsageError(`${name}: --config site.yaml is required`)
    return loadConfigFile(values.config, builtinPlugins)
  }
  const result = await cmd.run({ config, values, positionals, argv: rest, plugins: builtinPlugins })
  return result === 'running' ? -1 : (result ?? 0)
}

class UsageError extends Error {}

/** Strictly with the command's declared options (`start --worker 4`, a typo, must not run one process); else leniently, for --config only. */
function parseCommandLine(name: string, cmd: CliCommand, args: string[]): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  if (!cmd.options) return parseArgs({ args, allowPositionals: true, strict: false, options: { config: { type: 'string', short: 'c' } } }) as ReturnType<typeof parseCommandLine>
  try {
    return parseArgs({ args, allowPositionals: false, strict: true, options: cmd.options }) as ReturnType<typeof parseCommandLine>
  } catch (err) {
    // parseArgs's own message names the option or argument ("Unknown option '--worker'").
    if (String((err as { code?: string }).code).startsWith('ERR_PARSE_ARGS')) throw new UsageError(`${name}: ${(err as Error).message}\nusage: fedgate ${cmd.summary}`)
    throw err
  }
}

function parseWorkers(v: unknown): number | 'auto' {
  if (v === 'auto') return v
  const n = typeof v === 'string' && /^[0-9]{1,3}$/.test(v) ? Number(v) : NaN
  if (!(n >= 1 && n <= 256)) throw new UsageError(`--workers: expected auto or an integer from 1 to 256, got ${JSON.stringify(v)}`)
  return n
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code)
  },
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof UsageError) process.stderr.write(`fedgate: ${err.message}\n`)
    else process.stderr.write(`fedgate: ${(err as Error)?.message ?? err}\n`)
    process.exit(2)
  },
)
