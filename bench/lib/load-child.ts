// The load generator's own process: receives LoadOptions, runs them, sends back the LoadResult.
import { measureHere, type LoadOptions } from './load.ts'

process.once('message', (o: LoadOptions) => {
  measureHere(o).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (err: Error) => process.send!({ error: err.message }, () => process.exit(1)),
  )
})
