// When each link's peer was last heard from: any request made with the link's token (its hello, a page
// of changes, a blob read or upload). A request in flight is contact all along: a blob that takes an
// hour to move is not an hour of silence. In memory only; the link status keeps the last exchange.
import type { ServerResponse } from 'node:http'
import type { Clock } from '../../gateway/util/clock.ts'

export class LinkActivity {
  readonly #links = new Map<string, { inFlight: number; last: number }>()

  constructor(private readonly clock: Clock) {}

  /** A request with link `name`'s token: heard now, until its answer is done (or cut). */
  during(name: string, res: ServerResponse): void {
    let a = this.#links.get(name)
    if (!a) this.#links.set(name, (a = { inFlight: 0, last: 0 }))
    const entry = a
    entry.inFlight++
    entry.last = this.clock.now()
    res.once('close', () => {
      entry.inFlight--
      entry.last = this.clock.now()
    })
  }

  /** When link `name`'s peer was last heard from in this process (now, while a request is in flight). */
  lastHeard(name: string): number | undefined {
    const a = this.#links.get(name)
    if (!a) return undefined
    return a.inFlight > 0 ? this.clock.now() : a.last
  }
}
