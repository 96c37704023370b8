// The first step of every request: refuse targets and framings that could reach something they should not.
import type { IncomingMessage } from 'node:http'
import { GatewayError } from '../errors.ts'

export interface CheckedTarget {
  /** Decoded path, safe to match on. */
  path: string
  /** Path as the client encoded it, safe to forward (it decodes to `path`). */
  rawPath: string
  /** '?…' or ''. */
  query: string
}

// Encoded dot, slash, backslash or control character (CR, LF, NUL…) surviving one decode means double
// encoding: refuse it, since a server behind that decodes twice would see the character itself.
const DOUBLE_ENCODED = /%(2e|2f|5c|[01][0-9a-f]|7f)/i
const CONTROL = /[\u0000-\u001f\u007f]/
// A path made only of these needs no decoding and holds no backslash, NUL or control character: most
// requests take this path and skip the checks below that only encoded or unusual paths need.
const PLAIN = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/

/**
 * @param encodedSlashAllowed patterns of raw paths where `%2F` is part of a protocol's names
 *   (npm's `/@scope%2fname`); declared by the plugin that needs them.
 */
export function checkTarget(rawUrl: string, encodedSlashAllowed: readonly RegExp[] = []): CheckedTarget {
  if (!rawUrl.startsWith('/')) throw new GatewayError('GW_ERR_BAD_REQUEST', 'only origin-form request targets (/path) are accepted')
  // The commonest target, a plain path with no query, needs one pass and no search: PLAIN holds no '?'.
  const plain = PLAIN.test(rawUrl)
  // Node's parser lets a fragment through; a root behind may cut the path there, where the routes here
  // matched the whole of it (fix-guard-fragment-in-target-refused).
  if (!plain && rawUrl.includes('#')) throw new GatewayError('GW_ERR_BAD_PATH', 'a request target holds no fragment (#): encode it as %23')
  const q = plain ? -1 : rawUrl.indexOf('?')
  const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q)
  const query = q === -1 ? '' : rawUrl.slice(q)
  if (plain || (q !== -1 && PLAIN.test(rawPath))) {
    checkSegments(rawPath)
    return { path: rawPath, rawPath, query }
  }
  if (rawPath.includes('\\') || /%5c/i.test(rawPath)) throw new GatewayError('GW_ERR_BAD_PATH', 'backslashes are not allowed')
  if (/%00/.test(rawPath)) throw new GatewayError('GW_ERR_BAD_PATH', 'NUL is not allowed')
  if (/%2f/i.test(rawPath) && !encodedSlashAllowed.some((re) => re.test(rawPath))) {
    throw new GatewayError('GW_ERR_BAD_PATH', 'encoded slashes are not allowed')
  }
  let path: string
  try {
    path = decodeURIComponent(rawPath)
  } catch {
    throw new GatewayError('GW_ERR_BAD_PATH', 'malformed percent-encoding')
  }
  if (CONTROL.test(path)) throw new GatewayError('GW_ERR_BAD_PATH', 'control characters are not allowed')
  if (DOUBLE_ENCODED.test(path)) throw new GatewayError('GW_ERR_BAD_PATH', 'double-encoded characters are not allowed')
  checkSegments(path)
  return { path, rawPath, query }
}

/** Checked on the decoded path, split on both the real and the decoded slashes. */
function checkSegments(path: string): void {
  if (!path.includes('/.')) return
  for (const seg of path.split('/')) {
    if (seg === '..' || seg === '.') throw new GatewayError('GW_ERR_BAD_PATH', 'dot segments are not allowed')
  }
}

/** Methods a gateway never serves: TRACE echoes the request (its credentials too), CONNECT asks for a forward proxy. */
const NEVER = new Set(['TRACE', 'TRACK', 'CONNECT'])

/**
 * Node's parser refuses most smuggling; this refuses what it lets through for defence in depth, and
 * what Node would otherwise answer itself, outside the catalogue and the log (`requireHostHeader` and
 * 'checkExpectation' are handed to the gateway for that).
 */
export function checkFraming(req: IncomingMessage): void {
  if (NEVER.has(req.method!)) throw new GatewayError('GW_ERR_METHOD_NOT_ALLOWED', `${req.method} is not served by this gateway`)
  if (req.headers.host === undefined && req.httpVersionMinor === 1 && req.httpVersionMajor === 1) throw new GatewayError('GW_ERR_BAD_REQUEST', 'an HTTP/1.1 request needs a Host header')
  const expect = req.headers.expect
  if (expect !== undefined && expect.toLowerCase() !== '100-continue') throw new GatewayError('GW_ERR_EXPECTATION_FAILED', `Expect: ${expect.slice(0, 64)} is not supported (only 100-continue)`)
  const te = req.headers['transfer-encoding']
  if (te !== undefined) {
    if (req.headers['content-length'] !== undefined) throw new GatewayError('GW_ERR_BAD_REQUEST', 'both Content-Length and Transfer-Encoding are present')
    if (te.trim().toLowerCase() !== 'chunked') throw new GatewayError('GW_ERR_BAD_REQUEST', 'only Transfer-Encoding: chunked is accepted')
  }
}
