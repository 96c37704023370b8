// Scrapes /metrics through a real socket and parses the Prometheus text format strictly: every line is
// a # HELP, a # TYPE or a sample (values as Go's ParseFloat reads them: prom-client writes NaN as "Nan"), every sample belongs to a metric announced by # TYPE, and no series
// appears twice. A line that fits none of these fails the scrape.
import { request, type Dispatcher } from 'undici'

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export interface Scrape {
  status: number
  contentType: string
  text: string
  samples: Sample[]
  types: Map<string, string>
  /** The value of one series (labels must match exactly), or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined
}

const HELP = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/
const TYPE = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*",?)*)\})? (-?(?:[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?|[Nn]a[Nn]|\+Inf|-Inf))(?: -?[0-9]+)?$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"/g

export function parseMetrics(text: string): Pick<Scrape, 'samples' | 'types'> {
  const samples: Sample[] = []
  const types = new Map<string, string>()
  const seen = new Set<string>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    const type = TYPE.exec(line)
    if (type) {
      if (types.has(type[1]!)) throw new Error(`${type[1]} announced twice`)
      types.set(type[1]!, type[2]!)
      continue
    }
    if (HELP.test(line)) continue
    const m = SAMPLE.exec(line)
    if (!m) throw new Error(`not a Prometheus text line: ${JSON.stringify(line)}`)
    const name = m[1]!
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '')
    if (!types.has(family)) throw new Error(`sample ${name} has no # TYPE line`)
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`
    if (seen.has(key)) throw new Error(`series twice: ${line}`)
    seen.add(key)
    samples.push({ name, labels, value: /^nan$/i.test(m[3]!) ? NaN : Number(m[3]!.replace('Inf', 'Infinity')) })
  }
  return { samples, types }
}

export async function scrape(url: string, o: { dispatcher?: Dispatcher; headers?: Record<string, string> } = {}): Promise<Scrape> {
  const res = await request(url, { dispatcher: o.dispatcher, headers: o.headers })
  const text = await res.body.text()
  const parsed = res.statusCode === 200 ? parseMetrics(text) : { samples: [], types: new Map<string, string>() }
  return {
    status: res.statusCode,
    contentType: String(res.headers['content-type'] ?? ''),
    text,
    ...parsed,
    value(name, labels = {}) {
      const want = JSON.stringify(Object.entries(labels).sort())
      return parsed.samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want)?.value
    },
  }
}
