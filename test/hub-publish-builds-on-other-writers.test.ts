import t from 'tap'
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fetchText, tempDir } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'

const run = promisify(execFile)
const bin = join(import.meta.dirname, '..', 'gateway', 'cli', 'bin.mjs')

t.test('a publish or delete over HTTP keeps the tags fedgate publish (another process) committed, before the site has looked', async (t) => {
  const dir = tempDir(t)
  // The site never looks for other writers' commits on its own during this test: only commit() can see them.
  const root = await startRoot(t, { dir, extra: 'store: { refresh: 1h }\n' })
  const yaml = join(dir, 'root.yaml')
  t.equal((await publish(root, root.publish, 'acme/app', 'http-1', 'one')).status, 201)

  writeFileSync(join(dir, 'cli.bin'), 'from the command line')
  await run(process.execPath, [bin, 'publish', '--config', yaml, 'acme/app:cli', join(dir, 'cli.bin')])
  t.equal((await publish(root, root.publish, 'acme/app', 'http-2', 'two')).status, 201, 'an HTTP publish right after')

  const tags = async () => Object.keys((JSON.parse((await fetchText(root, '/api/v1/repos/acme/app', { headers: bearer(root.read) })).body) as { tags: Record<string, string> }).tags).sort()
  t.same(await tags(), ['cli', 'http-1', 'http-2', 'latest'], 'the tag the CLI committed is kept')

  await run(process.execPath, [bin, 'publish', '--config', yaml, '--no-latest', 'acme/app:cli-2', join(dir, 'cli.bin')])
  const del = await fetchText(root, '/api/v1/repos/acme/app/tags/http-1', { method: 'DELETE', headers: bearer(root.publish) })
  t.equal(del.status, 204)
  t.same(await tags(), ['cli', 'cli-2', 'http-2', 'latest'], 'a delete keeps it too')
})
