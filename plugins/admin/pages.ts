// The page files (plugins/admin/assets), read once at start: hand-written HTML, CSS and JS, shipped in
// the package, so the page works on a site with no way out to the Internet.
import { existsSync, readFileSync } from 'node:fs'
import { escapeHtml } from './http.ts'

// Compiled, this module runs from dist/plugins/admin/; tsc copies no page files, which stay with the
// sources (plugins/admin/assets) in the package.
const ASSETS = [new URL('./assets/', import.meta.url), new URL('../../../plugins/admin/assets/', import.meta.url)].find((u) => existsSync(u))
const read = (name: string) => {
  if (!ASSETS) throw new Error('the admin page files (plugins/admin/assets) are missing from the package')
  return readFileSync(new URL(name, ASSETS), 'utf8')
}

export const pages = {
  overview: { path: '/admin', title: 'Overview' },
  federation: { path: '/admin/federation', title: 'Federation' },
  keys: { path: '/admin/keys', title: 'Keys' },
  tunnels: { path: '/admin/tunnels', title: 'Tunnels' },
  links: { path: '/admin/links', title: 'Links' },
} as const
export type PageName = keyof typeof pages

export const pageByPath = new Map<string, PageName>(Object.entries(pages).map(([name, p]) => [p.path, name as PageName]))

export class PageFiles {
  readonly layout = read('layout.html')
  readonly signIn = read('sign-in.html')
  readonly bodies = Object.fromEntries(Object.keys(pages).map((n) => [n, read(`${n}.html`)])) as Record<PageName, string>
  readonly assets = new Map<string, { type: string; body: string }>([
    ['/admin/assets/admin.css', { type: 'text/css; charset=utf-8', body: read('admin.css') }],
    ['/admin/assets/admin.js', { type: 'text/javascript; charset=utf-8', body: read('admin.js') }],
  ])

  page(name: PageName, v: { site: string; csrf: string }): string {
    const nav = Object.entries(pages)
      .map(([n, p]) => `<li><a href="${p.path}"${n === name ? ' aria-current="page"' : ''}>${p.title}</a></li>`)
      .join('')
    return fill(this.layout, { site: escapeHtml(v.site), csrf: escapeHtml(v.csrf), page: name, title: pages[name].title, nav, body: this.bodies[name] })
  }

  signInPage(v: { site: string; message?: string }): string {
    return fill(this.signIn, { site: escapeHtml(v.site), message: v.message ? `<p class="error" role="alert">${escapeHtml(v.message)}</p>` : '' })
  }
}

/** `{{name}}` → value; values are escaped by the caller where they come from outside. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => values[k] ?? '')
}
