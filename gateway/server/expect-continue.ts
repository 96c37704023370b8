// `Expect: 100-continue`: the client waits for "100 Continue" before it sends its body. Node sends it
// as the request arrives, before the gateway has checked anything, so a PUT with a wrong key sent its
// whole body only to be refused. Here it goes when the route first reads the body (a publish after
// its key check, a forward as the root's connection takes it); a request refused before that gets its
// answer alone, and its connection closes, since the client may still send the body it announced.
import type { IncomingMessage, ServerResponse } from 'node:http'

const AWAITING = Symbol('100 Continue not sent yet')
type Awaiting = IncomingMessage & { [AWAITING]?: boolean }

/** For Node's 'checkContinue': the request's first read sends 100 Continue (unless the answer began). */
export function continueOnRead(req: IncomingMessage, res: ServerResponse): void {
  const r = req as Awaiting
  r[AWAITING] = true
  // Every way of reading a stream (data listeners, pipe, read(), async iteration) comes through _read.
  const read = r._read
  r._read = function (this: Awaiting, size: number) {
    if (this[AWAITING]) {
      this[AWAITING] = false
      // Once the answer began, 100 may not come before it: Node is draining a body no one asked for.
      if (!res.headersSent) res.writeContinue()
    }
    return read.call(this, size)
  }
}

/** Did the client ask to wait for 100 Continue, which has not been sent? */
export function awaitsContinue(req: IncomingMessage): boolean {
  return (req as Awaiting)[AWAITING] === true
}
