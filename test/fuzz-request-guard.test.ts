// Property: any request target is either refused with 400 (GW_ERR_BAD_PATH, GW_ERR_BAD_REQUEST) or
// yields a path with no dot segment, backslash or control character, whose raw form decodes to it,
// and that a second decode (a server behind that decodes again) turns into no separator, dot segment
// or control character either. Checked on the guard itself over many targets, with and without npm's
// encoded-slash patterns, then over a real socket: the root behind a child sees only safe paths.
import t from 'tap'
import fc from 'fast-check'
import { checkTarget, type CheckedTarget } from '../gateway/server/request-guard.ts'
import { GatewayError } from '../gateway/errors.ts'
import { ENCODED_SCOPED } from '../plugins/npm/names.ts'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { connectTls, sendRaw } from './helpers/raw-http.ts'
import { biased, holds } from './helpers/fuzz.ts'

const PIECES = [
  '/', '/', '/', '.', '..', '%2e', '%2E', '%2f', '%2F', '%5c', '%5C', '\\', '%25', '%252e', '%252f', '%00', '%2500',
  '%0d%0a', '%250a', '%7f', '?', '#', '%', '%zz', '%c0%ae', '%C3%A9', 'é', '😀', '%F0%9F%98%80', '%e2%80%ae',
  '@scope', '%2fname', '/-/', '/-rev/', 'a', 'pkg', '~', ';', '\u0000', '\t',
]
const CONTROL = /[\u0000-\u001f\u007f]/
const hasDotSegment = (path: string) => path.split('/').some((s) => s === '.' || s === '..')

/** What is unsafe about a decoded path, also once decoded again; undefined when nothing is. */
function unsafe(path: string): string | undefined {
  if (hasDotSegment(path)) return 'a dot segment'
  if (path.includes('\\')) return 'a backslash'
  if (CONTROL.test(path)) return 'a control character'
  let again: string
  try {
    again = decodeURIComponent(path)
  } catch {
    return undefined // not decodable again: nothing a second decode could reveal
  }
  if (again.split('/').length !== path.split('/').length) return 'a slash once decoded again'
  if (hasDotSegment(again) || again.includes('\\') || CONTROL.test(again)) return `${JSON.stringify(again)} once decoded again`
  return undefined
}

/** Throws (failing the property) unless `raw` is refused with a 400 or checked into something safe. */
function refusedOrSafe(raw: string, allowed: readonly RegExp[]): boolean {
  let r: CheckedTarget
  try {
    r = checkTarget(raw, allowed)
  } catch (e) {
    if (!(e instanceof GatewayError)) throw new Error(`not a GatewayError: ${e}`)
    if (e.status !== 400 || (e.code !== 'GW_ERR_BAD_PATH' && e.code !== 'GW_ERR_BAD_REQUEST')) throw new Error(`refused with ${e.status} ${e.code}`)
    return true
  }
  const { path, rawPath, query } = r
  if (rawPath + query !== raw) throw new Error('rawPath + query is not the target')
  if (!path.startsWith('/')) throw new Error('path does not start with /')
  if (decodeURIComponent(rawPath) !== path) throw new Error('rawPath does not decode to path')
  const problem = unsafe(path)
  if (problem) throw new Error(`${JSON.stringify(path)} holds ${problem}`)
  if (allowed.length === 0 && /%2f/i.test(rawPath)) throw new Error('an encoded slash passed with no plugin allowing it')
  return true
}

const interesting = biased(PIECES).map((s) => '/' + s)

t.test('the guard refuses or makes safe any target', async (t) => {
  for (const [what, allowed] of [['no plugin patterns', []], ["npm's encoded-slash patterns", ENCODED_SCOPED]] as const) {
    await holds(t, `${what}: targets built from interesting pieces`, fc.property(interesting, (raw) => refusedOrSafe(raw, allowed)), 10_000)
    await holds(t, `${what}: any string after a slash`, fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => refusedOrSafe('/' + s, allowed)), 5_000)
    await holds(t, `${what}: any string`, fc.property(fc.string({ maxLength: 20 }), (s) => refusedOrSafe(s, allowed)), 2_000)
  }
})

t.test('through a real socket, the root behind a child sees only safe paths', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'fuzz-guard', { clock: t.clock })
  let socket = await connectTls(t, site.gw.httpsPort, site.ca)
  // CR and LF written raw would end the request line early and make requests of their own; encoded
  // (%0d%0a) they are among the pieces.
  const wire = interesting.filter((s) => !/[\r\n]/.test(s))
  let forwarded = 0
  await holds(
    t,
    'raw targets over TLS',
    fc.asyncProperty(wire, async (target) => {
      if (socket.destroyed) socket = await connectTls(t, site.gw.httpsPort, site.ca)
      const seen = origin.seen.length
      const res = await sendRaw(socket, `GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`)
      if (res === 'closed') throw new Error('closed without an answer')
      if (res.headers.connection === 'close') socket.destroy()
      if (res.status === 400) {
        if (origin.seen.length !== seen) throw new Error('refused, yet the root saw it')
        return true
      }
      if (res.status >= 500) throw new Error(`answered ${res.status}: ${res.body}`)
      for (const { url } of origin.seen.slice(seen)) {
        forwarded++
        const problem = unsafe(decodeURIComponent(url.split('?')[0]!))
        if (problem) throw new Error(`the root saw ${url}, with ${problem}`)
        if (url !== target) throw new Error(`forwarded as ${url}, not as the client wrote it`)
      }
      return true
    }),
    200,
  )
  t.ok(forwarded > 10, `many targets were forwarded (${forwarded}), not only refused`)
})
