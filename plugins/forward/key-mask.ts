// Masks the site's key where a root's error answer echoes it in its body ("key … is not valid", a dump
// of the request's headers): a read goes up with the site's key, and any client may make one. Same
// length (`*` for each byte), so the root's Content-Length still holds and the body streams as it came.
import { pipeline, Transform, type Readable } from 'node:stream'

const MASK = 0x2a // '*'

export class KeyMask {
  readonly #key: Buffer
  /** The last bytes seen, held back: the key may begin in them and end in the next chunk. */
  #held: Buffer = Buffer.alloc(0)

  constructor(key: string) {
    this.#key = Buffer.from(key)
  }

  /** What of the body so far may be sent now (masked), all but its last key.length - 1 bytes. */
  push(chunk: Buffer): Buffer {
    // A copy: undici's chunk is not ours to change.
    const buf = Buffer.concat([this.#held, chunk])
    for (let i = buf.indexOf(this.#key); i !== -1; i = buf.indexOf(this.#key, i + this.#key.length)) buf.fill(MASK, i, i + this.#key.length)
    const keep = Math.min(buf.length, this.#key.length - 1)
    this.#held = buf.subarray(buf.length - keep)
    return buf.subarray(0, buf.length - keep)
  }

  /** The bytes held back, at the body's end (too few to hold the key). */
  end(): Buffer {
    const rest = this.#held
    this.#held = Buffer.alloc(0)
    return rest
  }
}

/**
 * `body` as a stream with the key masked: an error answer on the cached path, which is passed on or
 * stored (so that every later answer from its entry is masked too). Destroying it stops `body`; `body`
 * failing fails it with the same error.
 */
export function maskedBody(body: Readable, key: string): Readable & { dump(): Promise<void> } {
  const mask = new KeyMask(key)
  const out = new Transform({
    transform: (chunk: Buffer, _encoding, done) => done(null, mask.push(chunk)),
    flush: (done) => done(null, mask.end()),
  })
  pipeline(body, out, () => {})
  return Object.assign(out, { dump: async () => void out.destroy() })
}
