// The load generator's own process: runs each LoadOptions it receives and sends back the LoadResult.
// It leaves with its parent (the IPC channel closes).
import { measureHere, type LoadOptions } from './load.ts'

process.on('message', (o: LoadOptions) => {
  measureHere(o).then(
    (result) => process.send!({ result }),
    (err: Error) => process.send!({ error: err.message }),
  )
})
process.on('disconnect', () => process.exit(0))
