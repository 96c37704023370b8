// Property: a certificate with a serial number fedgate makes from any 16 random bytes loads in OpenSSL
// (node's X509Certificate, as TLS loads it) and keeps that serial. Before, one byte pattern in 128 (a
// leading zero) made a DER INTEGER OpenSSL 3 refuses ("illegal padding"), and the site could not start.
import t from 'tap'
import fc from 'fast-check'
import { X509Certificate } from 'node:crypto'
import forge from 'node-forge'
import { serialNumber } from '../gateway/tls/certificates.ts'
import { holds } from './helpers/fuzz.ts'

const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 })

function certificateWith(serial: string): string {
  const cert = forge.pki.createCertificate()
  cert.publicKey = keys.publicKey
  cert.serialNumber = serial
  cert.validity.notBefore = new Date(Date.now() - 60_000)
  cert.validity.notAfter = new Date(Date.now() + 86_400_000)
  cert.setSubject([{ name: 'commonName', value: 'serial' }])
  cert.setIssuer([{ name: 'commonName', value: 'serial' }])
  cert.sign(keys.privateKey, forge.md.sha256.create())
  return forge.pki.certificateToPem(cert)
}

// The bytes that went wrong, and their neighbours: leading zero, high bit, all ones, all zeros.
const EDGES = [[0x00, 0x10], [0x00, 0x80], [0x80, 0x00], [0x7f, 0xff], [0xff, 0xff], [0x00, 0x00]].map((head) => Buffer.concat([Buffer.from(head), Buffer.alloc(14, 0x5a)]))
const random = fc.oneof(fc.constantFrom(...EDGES), fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a)))

t.test('certificates with the serial numbers fedgate makes load in OpenSSL', async (t) => {
  await holds(
    t,
    'a serial from any 16 bytes loads and is kept',
    fc.property(random, (bytes) => {
      const serial = serialNumber(bytes)
      const loaded = new X509Certificate(certificateWith(serial))
      return loaded.serialNumber.toLowerCase() === serial
    }),
    60,
  )
})
