// Accepted caller tokens, several at once (rotation: old and new both valid), re-read when their file
// changes, checked in constant time.
import { EventEmitter } from 'node:events'
import { watch, type FSWatcher } from 'node:fs'
import { readRegularFile } from '../../gateway/util/regular-file.ts'
import { basename, dirname } from 'node:path'
import type { Logger } from 'pino'
import { constantTimeEqual, registerSecret, type Secret } from '../../gateway/config/secret.ts'

/** One token a line; blank lines and `#` comments are ignored. */
export function parseTokens(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
}

export class TokenStore extends EventEmitter<{ reload: [count: number] }> {
  #tokens: string[]
  #watcher?: FSWatcher
  /** How many times the file was re-read with a change (for /health and tests). */
  reloads = 0

  constructor(
    private readonly secret: Secret,
    private readonly log: Logger,
  ) {
    super()
    this.#tokens = this.#adopt(parseTokens(secret.reveal()))
    if (secret.file) this.#watch(secret.file)
  }

  get size(): number {
    return this.#tokens.length
  }

  /** Compares against every token without stopping early, so timing says nothing about which matched. */
  accepts(candidate: string | undefined): boolean {
    if (!candidate) return false
    let ok = false
    for (const t of this.#tokens) ok = constantTimeEqual(t, candidate) || ok
    return ok
  }

  /** Re-reads the file now; keeps the current tokens when it cannot be read (mid-rename). */
  reload(): void {
    const file = this.secret.file
    if (!file) return
    let text: string
    try {
      text = readRegularFile(file).toString('utf8')
    } catch (e) {
      this.log.warn({ file, code: (e as NodeJS.ErrnoException).code }, 'token file unreadable; keeping the previous tokens')
      return
    }
    const next = parseTokens(text)
    if (next.length === this.#tokens.length && next.every((t, i) => t === this.#tokens[i])) return
    this.#tokens = this.#adopt(next)
    this.reloads++
    if (next.length === 0) this.log.warn({ file }, 'token file has no tokens: every caller is refused')
    else this.log.info({ file, tokens: next.length }, 'token file reloaded')
    this.emit('reload', next.length)
  }

  close(): void {
    this.#watcher?.close()
  }

  #adopt(tokens: string[]): string[] {
    for (const t of tokens) registerSecret(t)
    return tokens
  }

  // The folder is watched, not the file: editors and secret managers replace files by renaming.
  #watch(file: string): void {
    const name = basename(file)
    try {
      this.#watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
        if (changed === null || changed === name) this.reload()
      })
      this.#watcher.on('error', (err) => this.log.warn({ file, err: err.message }, 'cannot watch token file; changes need a restart'))
    } catch (e) {
      this.log.warn({ file, err: (e as Error).message }, 'cannot watch token file; changes need a restart')
    }
  }
}
