// Property-based: the CLASP HELLO parser is total. Any byte sequence either parses to a HELLO (with its
// token, or none) or is refused with MalformedHello and a message; nothing else is thrown, and nothing
// outside the frame (bytes around it in memory, bytes past its length field) changes the answer.
import t from 'tap'
import fc from 'fast-check'
import { decode, encode, encodeMessage } from '@clasp-to/core'
import { MalformedHello, parseHello, type ClaspHello } from '../plugins/tunnel/clasp-hello.ts'

// Bounded: each property is a few hundred synchronous parses of frames under 1 KiB.
const runs = { numRuns: 400 }

type Outcome = { token: string | undefined; rewritten: Buffer | string } | { refused: string }

/** The parser's answer as plain data; any throw other than MalformedHello escapes and fails the property. */
function outcome(frame: Buffer): Outcome {
  let hello: ClaspHello
  try {
    hello = parseHello(frame)
  } catch (e) {
    if (!(e instanceof MalformedHello)) throw e
    if (!e.message) throw new Error('MalformedHello without a message')
    return { refused: e.message }
  }
  let rewritten: Buffer | string
  try {
    rewritten = hello.withToken('site-token')
  } catch (e) {
    if (!(e instanceof MalformedHello)) throw e
    rewritten = e.message
  }
  return { token: hello.token, rewritten }
}

/** A frame by hand: magic, flags, u16 payload length, [u64 timestamp], payload. */
function frame(flags: number, payload: Uint8Array, lengthField = payload.length): Buffer {
  const head = Buffer.alloc(flags & 0x20 ? 12 : 4)
  head[0] = 0x53
  head[1] = flags
  head.writeUInt16BE(lengthField & 0xffff, 2)
  return Buffer.concat([head, payload])
}

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff])
/** A binary HELLO payload: type, version, features, name, token, then whatever follows. */
const helloPayload = (name: Uint8Array, token: Uint8Array, rest: Uint8Array = new Uint8Array()) =>
  Buffer.concat([Buffer.from([0x01, 0x01, 0x80]), u16(name.length), name, u16(token.length), token, rest])

/** The MalformedHello message `fn` throws (another throw escapes and fails the test). */
function refusal(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    if (e instanceof MalformedHello) return e.message
    throw e
  }
  return undefined
}

const bytes = (maxLength = 64) => fc.uint8Array({ maxLength })
const flags = fc.oneof(fc.constantFrom(0x01, 0x21, 0x41, 0x00), fc.integer({ min: 0, max: 255 }))

/** Frames near the valid ones (where parser bugs hide), and noise. */
const candidates = fc.oneof(
  bytes(600).map((b) => Buffer.from(b)),
  fc.tuple(flags, bytes(), bytes(), bytes(16)).map(([f, name, token, rest]) => frame(f, helloPayload(name, token, rest))),
  fc.tuple(flags, bytes(200), fc.integer({ min: 0, max: 0xffff })).map(([f, payload, len]) => frame(f, payload, len)),
  fc.tuple(flags, bytes(), bytes(), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })).map(([f, name, token, nameLen, tokenLen]) =>
    frame(f, Buffer.concat([Buffer.from([0x01, 0x01, 0x80]), u16(nameLen), name, u16(tokenLen), token])),
  ),
  fc.tuple(bytes(), bytes(), fc.integer({ min: 0, max: 40 })).map(([name, token, cut]) => {
    const whole = frame(0x01, helloPayload(name, token))
    return whole.subarray(0, Math.max(0, whole.length - cut))
  }),
)

t.test('any bytes: a HELLO or a MalformedHello with a message, never another throw', async (t) => {
  fc.assert(
    fc.property(candidates, (f) => {
      const out = outcome(f)
      if ('refused' in out) return
      if (out.token !== undefined) t.ok(out.token.length > 0) // 0 bytes is no token, never ''
    }),
    runs,
  )
  t.pass('held for every generated frame')
})

t.test('the answer depends only on the frame: not on the memory around it', async (t) => {
  fc.assert(
    fc.property(candidates, bytes(32), bytes(32), (f, before, after) => {
      // The frame as a view into a larger buffer with other bytes on both sides.
      const big = Buffer.concat([before, f, after])
      const view = big.subarray(before.length, before.length + f.length)
      const copy = Buffer.from(big)
      t.same(outcome(view), outcome(Buffer.from(f)))
      t.ok(big.equals(copy), 'the parser writes nothing')
    }),
    runs,
  )
})

t.test('a well-formed HELLO yields the token it carries, whatever follows its declared length', async (t) => {
  const text = fc.string({ unit: 'grapheme', maxLength: 40 })
  fc.assert(
    fc.property(text, text, fc.boolean(), bytes(32), (name, token, stamped, trailing) => {
      // Encoded by the real client library, the way @clasp-to/core's Clasp sends it.
      const message = { type: 'HELLO' as const, version: 1, name, features: ['param', 'event'], token: token || undefined }
      const f = Buffer.from(stamped ? encodeMessage(message, { timestamp: 1_700_000_000_000_000 }) : encode(message))
      const parsed = parseHello(Buffer.concat([f, trailing]))
      t.equal(parsed.token, token || undefined)
    }),
    runs,
  )
})

t.test('a parsed token is exactly the bytes the frame holds (no lossy decoding)', async (t) => {
  fc.assert(
    fc.property(bytes(), bytes(48), (name, token) => {
      const out = outcome(frame(0x01, helloPayload(name, token)))
      if ('refused' in out) return t.match(out.refused, /UTF-8/)
      t.ok(Buffer.from(out.token ?? '', 'utf8').equals(Buffer.from(token)))
    }),
    runs,
  )
  t.match(refusal(() => parseHello(frame(0x01, helloPayload(Buffer.from('n'), Buffer.from([0xff, 0x61]))))), /UTF-8/, 'invalid UTF-8 is refused')
  t.equal(parseHello(frame(0x01, helloPayload(Buffer.from('n'), Buffer.from('\ufeffabc')))).token, '\ufeffabc', 'a leading BOM is kept')
})

t.test('withToken replaces the token and keeps everything else of the HELLO', async (t) => {
  const text = fc.string({ unit: 'grapheme', maxLength: 40 })
  fc.assert(
    fc.property(text, text, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }), fc.boolean(), (name, token, next, stamped) => {
      const message = { type: 'HELLO' as const, version: 1, name, features: ['param'], token: token || undefined }
      const f = Buffer.from(stamped ? encodeMessage(message, { timestamp: 42 }) : encode(message))
      const rewritten = parseHello(f).withToken(next)
      t.equal(parseHello(rewritten).token, next)
      t.match(decode(new Uint8Array(rewritten)), { type: 'HELLO', version: 1, name, features: ['param'], token: next }, 'the client library reads it back')
      t.ok(rewritten.subarray(0, 2).equals(f.subarray(0, 2)), 'magic and flags kept')
      if (stamped) t.ok(rewritten.subarray(4, 12).equals(f.subarray(4, 12)), 'timestamp kept')
    }),
    { numRuns: 200 },
  )
  const hello = parseHello(frame(0x01, helloPayload(Buffer.from('n'), Buffer.from('t'))))
  t.match(refusal(() => hello.withToken('x'.repeat(0x10000))), /too long/, 'a token too long for the frame is refused, not cut')
})
