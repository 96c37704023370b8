// A real browser for the admin page's tests: Debian's chromium driven by playwright-core. When the
// binary is missing the test fails with how to install it: the browser tests are never skipped silently.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import type { TestLike, TestSite } from './sites.ts'

const CHROMIUM = process.env.FEDGATE_CHROMIUM ?? '/usr/bin/chromium'
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

export async function launchBrowser(t: TestLike): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium (.ci/run installs it), or set FEDGATE_CHROMIUM`)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
  t.teardown(() => browser.close())
  return browser
}

export interface AdminPage {
  page: Page
  context: BrowserContext
  /** Every URL the page asked for, in order (documents, files, fetches). */
  requests: string[]
}

/** A fresh browser context (its own cookies) trusting the site's generated certificate. */
export async function openAdmin(browser: Browser, site: Pick<TestSite, 'url'>, path = '/admin'): Promise<AdminPage> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true })
  const requests: string[] = []
  context.on('request', (r) => void requests.push(r.url()))
  const page = await context.newPage()
  await page.goto(site.url + path)
  return { page, context, requests }
}

/** Signs in through the form; resolves once the overview has loaded. */
export async function signIn(a: AdminPage, key: string): Promise<void> {
  await a.page.fill('#key', key)
  await Promise.all([a.page.waitForURL(/\/admin$/), a.page.click('button[type="submit"]')])
  await a.page.waitForSelector('body[data-page]')
}

/** axe-core's serious and critical violations on the page as it is now (evaluated outside the page's CSP). */
export async function seriousViolations(page: Page): Promise<{ id: string; impact: string; help: string; nodes: string[] }[]> {
  await page.evaluate(AXE)
  const found = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(doc: Document): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe
    const r = await axe.run(document)
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }))
  })
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}
