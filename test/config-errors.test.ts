import t from 'tap'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir, writeSecret } from './helpers/sites.ts'

const BIN = new URL('../gateway/cli/bin.mjs', import.meta.url).pathname

function check(dir: string, yaml: string, env: NodeJS.ProcessEnv = {}): { code: number | null; out: string } {
  const file = join(dir, 'bad.yaml')
  writeFileSync(file, yaml)
  const r = spawnSync(process.execPath, [BIN, 'check', '--config', file], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 })
  return { code: r.status, out: r.stdout + r.stderr }
}

const cases: { name: string; yaml: string; where: string; key: string; expected: RegExp; env?: NodeJS.ProcessEnv }[] = [
  {
    name: 'unknown key (a typo)',
    yaml: 'site: { name: a, role: root }\nlisten:\n  htps: { port: 1 }\n',
    where: 'bad.yaml:3:3',
    key: 'listen.htps',
    expected: /known option \(did you mean "https"\?\)/,
  },
  {
    name: 'wrong type',
    yaml: 'site: { name: a, role: root }\nlisten:\n  https: { port: "abc" }\n',
    where: 'bad.yaml:3:18',
    key: 'listen.https.port',
    expected: /expected an integer/,
  },
  {
    name: 'bad duration',
    yaml: 'site: { name: a, role: child }\nroot:\n  url: https://root.example\n  health:\n    interval: 5 seconds\n',
    where: 'bad.yaml:5:15',
    key: 'root.health.interval',
    expected: /expected a duration such as "500ms"/,
  },
  {
    name: 'YAML syntax error',
    yaml: 'site: { name: a, role: root\nlisten: [\n',
    where: 'bad.yaml:2:1',
    key: '',
    expected: /YAML syntax error/,
  },
  {
    name: 'missing environment variable for ${VAR}',
    yaml: 'site: { name: a, role: child }\nroot:\n  url: https://root.example\n  key: ${FEDGATE_TEST_UNSET_VAR}\n',
    where: 'bad.yaml:4:8',
    key: 'root.key',
    expected: /environment variable FEDGATE_TEST_UNSET_VAR to be set/,
  },
  {
    name: 'a literal secret',
    yaml: 'site: { name: a, role: child }\nroot:\n  url: https://root.example\n  key: sk_live_pasted_by_mistake_123\n',
    where: 'bad.yaml:4:8',
    key: 'root.key',
    expected: /literal secret in the YAML file is refused/,
  },
  {
    name: 'child without root',
    yaml: 'site: { name: a, role: child }\n',
    where: 'bad.yaml:1:1',
    key: 'root',
    expected: /a child site needs `root.url`/,
  },
]

for (const c of cases) {
  t.test(`fedgate check refuses: ${c.name}`, async (t) => {
    const dir = tempDir(t)
    const r = check(dir, c.yaml, c.env)
    t.not(r.code, 0, 'non-zero exit')
    t.ok(r.out.includes(c.where), `names file:line:col (${c.where})`)
    if (c.key) t.ok(r.out.includes(`${c.key}:`), `names the key (${c.key})`)
    t.match(r.out, c.expected, 'says what was expected')
    t.notMatch(r.out, /sk_live_pasted_by_mistake_123/, 'never echoes a literal secret')
    t.notMatch(r.out, /\n\s+at /, 'no stack trace')
  })
}

t.test('fedgate check accepts a valid file: prints ok and exits 0', async (t) => {
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_valid_' + 'v'.repeat(30))
  const r = check(dir, 'site: { name: a, role: child }\nroot:\n  url: https://root.example:9443\n  key: file:./root.key\n')
  t.equal(r.code, 0)
  t.match(r.out, /^ok: /m)
  t.notMatch(r.out, /fgk_valid_/)
})
