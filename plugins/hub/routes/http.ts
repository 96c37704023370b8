// Small HTTP helpers the hub's routes share: JSON answers, bounded JSON bodies, methods, ETags.
import type { IncomingMessage } from 'node:http'
import { GatewayError } from '../../../gateway/errors.ts'
import type { RequestContext } from '../../../gateway/plugin-api.ts'

export function sendJson(ctx: RequestContext, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  ctx.res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-cache',
    ...headers,
  })
  ctx.res.end(ctx.method === 'HEAD' ? undefined : text)
}

export function onlyMethods(ctx: RequestContext, ...methods: string[]): void {
  if (!methods.includes(ctx.method)) throw new GatewayError('GW_ERR_METHOD_NOT_ALLOWED', undefined, { allow: methods.join(', ') })
}

/** Does the request's If-None-Match name `etag` (or `*`)? */
export function matchesEtag(req: IncomingMessage, etag: string): boolean {
  const inm = req.headers['if-none-match']
  if (!inm) return false
  return inm.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '')
    return v === '*' || v === etag
  })
}

export function notModified(ctx: RequestContext, headers: Record<string, string | number>): void {
  ctx.res.writeHead(304, headers)
  ctx.res.end()
}

/** A request's whole body, at most `max` bytes (413 past it). */
export async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > max) throw new GatewayError('GW_ERR_TOO_LARGE')
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

export async function readJson(req: IncomingMessage, max = 16 * 1024): Promise<Record<string, unknown>> {
  const body = await readBody(req, max)
  if (body.length === 0) return {}
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>
  } catch {
    // falls through to the error below
  }
  throw new GatewayError('GW_ERR_BAD_REQUEST', 'the body must be a JSON object')
}

/** A query parameter, or undefined. */
export function queryParam(ctx: RequestContext, name: string): string | undefined {
  return new URLSearchParams(ctx.query.replace(/^\?/, '')).get(name) ?? undefined
}

/** A query parameter that must be a decimal count when present, once: `since=`, `0x1` or two `since` are refused. */
export function countParam(query: URLSearchParams, name: string, what: string): number | undefined {
  const values = query.getAll(name)
  if (values.length === 0) return undefined
  const n = Number(values[0])
  if (values.length > 1 || !/^\d{1,15}$/.test(values[0]!) || !Number.isSafeInteger(n)) throw new GatewayError('GW_ERR_BAD_REQUEST', `${name} is ${what}`)
  return n
}
