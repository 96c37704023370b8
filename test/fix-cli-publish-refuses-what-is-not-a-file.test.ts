// `fedgate publish ns/name:tag PATH` with a folder for PATH failed with "EISDIR: illegal operation on a
// directory, read", naming no path; with a pipe (`<(make-image)`) with "The content does not match its
// digest: more bytes than expected", blaming the bytes (a pipe's size reads 0); with a socket it crashed
// on an unhandled 'error' event (a stack trace, exit 1); and /dev/null was published as an empty image.
// Each now fails before the store is opened, naming the path and what it is.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { rootYaml } from './helpers/hub.ts'
import { tempDir } from './helpers/sites.ts'

const MAIN = fileURLToPath(new URL('../gateway/cli/main.ts', import.meta.url))

t.test('fedgate publish refuses a folder, a pipe or a device, naming it', async (t) => {
  const dir = tempDir(t)
  const yaml = join(dir, 'root.yaml')
  writeFileSync(yaml, rootYaml())
  mkdirSync(join(dir, 'build'))
  const fifo = join(dir, 'image.fifo')
  t.equal(spawnSync('mkfifo', [fifo]).status, 0, 'a named pipe made')
  const socket = createServer()
  await new Promise<void>((r) => socket.listen(join(dir, 'image.sock'), r))
  t.teardown(() => socket.close())
  const publish = (path: string) => spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'publish', '--config', yaml, 'acme/app:1.0', path], { encoding: 'utf8', timeout: 60_000 })

  const cases: [string, RegExp][] = [
    [join(dir, 'build'), /build is a folder, not a file/],
    [fifo, /image\.fifo is a pipe, not a file/],
    [join(dir, 'image.sock'), /image\.sock is a socket, not a file/],
    ['/dev/null', /\/dev\/null is a device, not a file/],
  ]
  for (const [path, message] of cases) {
    const r = publish(path)
    t.equal(r.status, 2, `${path}: a non-zero exit`)
    t.match(r.stderr, message, `${path}: the error names it and what it is`)
    t.equal(r.stdout, '', `${path}: nothing said published`)
  }
  t.notOk(existsSync(join(dir, '.fedgate')), 'nothing was written: the store was not even opened')
})
