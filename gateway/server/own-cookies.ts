// Cookies the gateway sets for itself, declared here so that what forwards a request elsewhere can leave
// them out. A __Host- cookie's path is /, so a browser sends it with every request to the site, those
// the forward plugin passes to the root included: the root must not get a session of this site.

/** The admin page's session (plugins/admin): __Host-, so only this host over HTTPS can set it. */
export const ADMIN_SESSION_COOKIE = '__Host-fedgate_admin'

const OWN = new Set([ADMIN_SESSION_COOKIE])

/** A Cookie header without the gateway's own cookies; undefined when none other is left. */
export function withoutOwnCookies(header: string | undefined): string | undefined {
  if (header === undefined || !header.includes(ADMIN_SESSION_COOKIE)) return header
  const kept = header.split(';').filter((pair) => {
    const eq = pair.indexOf('=')
    const name = (eq < 0 ? pair : pair.slice(0, eq)).trim()
    return name !== '' && !OWN.has(name)
  })
  return kept.length > 0 ? kept.map((p) => p.trim()).join('; ') : undefined
}
