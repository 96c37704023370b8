import t from 'tap'
import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'
import { openTestStores } from './helpers/stores.ts'

t.test('a process killed with SIGKILL while committing leaves a committed state whose blobs all verify', async (t) => {
  const dir = tempDir(t)
  for (const round of [1, 2, 3]) {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'helpers', 'commit-loop.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] })
    const intents: string[] = []
    let done = 0
    let out = ''
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the commit loop did not get going within 30 s')), 30_000)
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString()
        let nl
        while ((nl = out.indexOf('\n')) >= 0) {
          const line = out.slice(0, nl)
          out = out.slice(nl + 1)
          if (line.startsWith('about ')) intents.push(line.slice(6))
          if (line.startsWith('done ') && ++done === 15 + round * 7) {
            clearTimeout(timer)
            child.kill('SIGKILL')
            resolve()
          }
        }
      })
      child.once('exit', () => resolve())
    })
    await exited
    t.ok(done >= 15, `round ${round}: killed after ${done} commits`)

    const s = await openTestStores(t, { dir })
    const state = await s.repositoryStore.get('acme/app')
    t.ok(state, 'the repository is there')
    const recent = intents.slice(-2) // the last committed state, or the one in flight
    t.ok(recent.includes(JSON.stringify(state!.tags)), `round ${round}: the state is one that was committed`)
    const page = await s.repositoryStore.changes(Math.max(0, state!.revision - 50))
    t.ok(page !== 'too-old' && page.revision === state!.revision, 'the counter and the state agree')
    for (const id of Object.values(state!.tags)) {
      const hash = createHash('sha256')
      for await (const chunk of createReadStream(s.blobStore.path(id))) hash.update(chunk as Buffer)
      t.equal(hash.digest('hex'), id, `blob ${id.slice(0, 8)} verifies`)
    }
    await s.close()
  }
})
