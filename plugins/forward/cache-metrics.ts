// The pull-through cache's metrics (forward.cache), read from its stats() when scraped, as /health's
// forward.cache shows them. One cache per process: with workers, each reports its own.
import type { HttpCache } from '../../gateway/http-cache/http-cache.ts'
import type { Metrics } from '../../gateway/metrics/registry.ts'

export function cacheMetrics(m: Metrics, cache: HttpCache): void {
  const s = () => cache.stats()
  m.counter('fedgate_forward_cache_hits_total', 'Reads answered from a fresh cached answer, without the root', [], () => s().hit)
  m.counter('fedgate_forward_cache_misses_total', "Reads answered by the root's answer, which was stored", [], () => s().miss)
  m.counter('fedgate_forward_cache_revalidations_total', 'Reads answered from a stale cached answer the root confirmed (304)', [], () => s().revalidated)
  m.counter('fedgate_forward_cache_stale_answers_total', 'Reads answered from a stale cached answer: the root failing (stale-if-error), while it is refreshed (stale-while-revalidate), or as the client allowed (max-stale)', [], () => s().stale)
  m.counter('fedgate_forward_cache_coalesced_total', "Reads that waited for another read's root request for the same entry and shared its answer", [], () => s().coalesced)
  m.counter('fedgate_forward_cache_unshared_total', "Reads that went to the root alone, uncached: the wait for another read's root request ran out, or its answer could not be shared", [], () => s().alone)
  m.counter('fedgate_forward_cache_not_stored_total', "Root answers passed on without being stored: not cacheable, larger than forward.cache.maxEntryBytes, or the cache's disk failed", [], () => s().notStored)
  m.gauge('fedgate_forward_cache_entries', 'Answers held in the cache', [], () => s().entries)
  m.gauge('fedgate_forward_cache_bytes', 'Bytes of cached answers on disk, as counted against forward.cache.diskBytes (bodies plus a fixed weight per entry)', [], () => s().bytes)
  m.gauge('fedgate_forward_cache_limit_bytes', 'The bound on fedgate_forward_cache_bytes (forward.cache.diskBytes); least recently used out first', [], () => s().maxBytes)
  m.gauge('fedgate_forward_cache_memory_bytes', 'Bytes of small cached bodies also held in memory', [], () => s().memoryBytes)
  m.gauge('fedgate_forward_cache_memory_limit_bytes', 'The bound on fedgate_forward_cache_memory_bytes (forward.cache.memoryBytes)', [], () => s().maxMemoryBytes)
  m.gauge('fedgate_forward_cache_fills', 'Root requests filling or revalidating an entry now', [], () => s().filling)
  m.gauge('fedgate_forward_cache_varying_urls', 'URLs with cached answers that vary by request headers (each held with those header names in memory)', [], () => s().varying)
  m.gauge('fedgate_forward_cache_waiting_requests', "Reads waiting now for another read's root request", [], () => s().waiting)
}
