import type { Dispatcher } from 'undici'
import { upstreamError } from '../errors.ts'
import type { RootClient } from './root-client.ts'
import type { RootHealth } from './root-health.ts'

/**
 * One request to the root (`path` includes the root's base path), refused at once while its circuit is
 * open. Transport failures become catalogue errors and count against its health; an answer's status
 * (5xx included) never does, since callers choose the paths (RootHealth.reportStatus).
 */
export async function requestRoot(client: RootClient, health: RootHealth | undefined, o: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  health?.admit()
  try {
    const res = await client.pool.request(o)
    health?.reportStatus(res.statusCode)
    return res
  } catch (err) {
    const ge = upstreamError(err)
    health?.report(ge)
    throw ge
  }
}
