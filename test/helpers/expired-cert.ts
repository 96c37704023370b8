// A certificate whose validity ended three days ago (it began 400 days ago), signed by the local CA a
// site generated in `certs`: what a site's files look like a year on, or an operator's forgotten pair.
// writeDatedCertificate makes one with other dates (one not valid yet, one about to expire).
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import type Forge from 'node-forge'

const forge = createRequire(import.meta.url)('node-forge') as typeof Forge

interface CertificateFields {
  serial: string
  subject: Forge.pki.CertificateField[]
  altNames: unknown[]
}

const DAY = 86_400_000

/** Writes the pair to `files` (its key 0600); `subject` and `altNames` as node-forge takes them. */
export function writeExpiredCertificate(certs: string, files: { cert: string; key: string }, o: CertificateFields): void {
  writeDatedCertificate(certs, files, { ...o, fromDays: -400, toDays: -3 })
}

/** The same, valid from `fromDays` to `toDays` days from now (negative: in the past). */
export function writeDatedCertificate(certs: string, files: { cert: string; key: string }, o: CertificateFields & { fromDays: number; toDays: number }): void {
  const caCert = forge.pki.certificateFromPem(readFileSync(join(certs, 'ca.crt'), 'utf8'))
  const caKey = forge.pki.privateKeyFromPem(readFileSync(join(certs, 'ca.key'), 'utf8'))
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 })
  const cert = forge.pki.createCertificate()
  cert.publicKey = keys.publicKey
  cert.serialNumber = o.serial
  cert.validity.notBefore = new Date(Date.now() + o.fromDays * DAY)
  cert.validity.notAfter = new Date(Date.now() + o.toDays * DAY)
  cert.setSubject(o.subject)
  cert.setIssuer(caCert.subject.attributes)
  cert.setExtensions([{ name: 'subjectAltName', altNames: o.altNames }])
  cert.sign(caKey, forge.md.sha256.create())
  writeFileSync(files.key, forge.pki.privateKeyToPem(keys.privateKey), { mode: 0o600 })
  writeFileSync(files.cert, forge.pki.certificateToPem(cert))
}

/** The certificate in `file`, parsed (its subject and names, to write an expired twin of it). */
export function readCertificate(file: string): Forge.pki.Certificate {
  return forge.pki.certificateFromPem(readFileSync(file, 'utf8'))
}
