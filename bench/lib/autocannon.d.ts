// The part of autocannon's API the benches use (the package ships no types).
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string
      connections?: number
      duration?: number
      maxOverallRequests?: number
      /** Stop after this many requests (instead of a duration). */
      amount?: number
      pipelining?: number
      servername?: string
      headers?: Record<string, string>
      timeout?: number
      workers?: number
      overallRate?: number
    }
    interface Histogram {
      average: number
      p50: number
      p99: number
      total: number
    }
    interface Result {
      requests: Histogram
      latency: Histogram
      errors: number
      timeouts: number
      non2xx: number
    }
  }
  function autocannon(opts: autocannon.Options, cb: (err: Error | null, result: autocannon.Result) => void): import('node:events').EventEmitter
  export default autocannon
}
