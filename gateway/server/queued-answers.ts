// Node 20 emits 'close' on a response only while it is the one on its connection. Answers queued
// behind it (pipelined requests) whose client leaves are never closed: everything waiting for their
// 'close' (the request's log line and in-flight count, a forward connection held by an answer that
// cannot drain, a file being streamed) would wait for ever, and one client could take every forward
// connection with a single pipelined burst. So each connection keeps its open answers, and when it
// closes, those Node left open are closed here, once Node has closed the one it had.
import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

const OPEN = Symbol('open answers')
type WithOpen = Socket & { [OPEN]?: ServerResponse[] }

/** Keeps `res` until answerClosed(); it gets a 'close' when `socket` closes first. */
export function trackAnswer(socket: Socket, res: ServerResponse): void {
  const s = socket as WithOpen
  let open = s[OPEN]
  if (open === undefined) {
    open = s[OPEN] = []
    if (socket.closed) setImmediate(closeLeft, s)
    else socket.once('close', () => setImmediate(closeLeft, s))
  }
  open.push(res)
}

/**
 * From `res`'s 'close' listener: it needs no closing here. False when it was closed already (a Node
 * that closes queued answers itself, after this did): that 'close' is to be ignored.
 */
export function answerClosed(socket: Socket, res: ServerResponse): boolean {
  const open = (socket as WithOpen)[OPEN]!
  // Nearly always the only one, or the first of a pipelined few; order does not matter (no splice, which
  // makes an array of what it removes, on every request).
  const i = open.indexOf(res)
  if (i === -1) return false
  const last = open.pop()!
  if (i < open.length) open[i] = last
  return true
}

/** After Node's own 'close' for the answer on the connection (a nextTick): the queued ones. */
function closeLeft(s: WithOpen): void {
  // Each leaves the list in its own 'close' (answerClosed).
  for (const res of [...s[OPEN]!]) res.emit('close')
}
