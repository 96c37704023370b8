// The baseline of the startup bench: a bare Node HTTPS server (plain JavaScript, no loader), answering
// every request with a small JSON body. `node bare-https.mjs cert.pem key.pem`; prints the line
// fedgate prints once it listens, with its port.
import https from 'node:https'
import { readFileSync } from 'node:fs'

const [cert, key] = process.argv.slice(2)
const server = https.createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end('{"status":"ok"}')
})
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ msg: 'fedgate listening', https: server.address().port })))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
