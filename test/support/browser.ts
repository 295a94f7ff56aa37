import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import {
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
  type Response,
  chromium,
} from 'playwright-core';

/**
 * The browser test harness (DESIGN §6): Chromium through playwright-core, and axe on every page
 * a journey visits.
 *
 *   const browser = await launchBrowser();
 *   const page = checkedPage(await newPage(browser, { baseURL }));
 *   await page.visit('/sign-in');                                  // goes there, then runs axe
 *   await page.page.getByLabel('Email').fill('a@example.org');
 *   await page.submit(page.page.getByRole('button', { name: 'Continue' }));   // waits, then axe
 *   await browser.close();
 */

/** The WCAG levels axe checks: A and AA of WCAG 2.0, 2.1 and 2.2. */
export const axeTags: readonly string[] = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const launchArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Chromium executables in Playwright's browser cache, newest revision first. */
function playwrightCacheChromiums(): string[] {
  const cache =
    process.env.PLAYWRIGHT_BROWSERS_PATH ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'ms-playwright');
  let entries: string[];
  try {
    entries = fs.readdirSync(cache);
  } catch {
    return [];
  }
  const revision = (name: string): number => Number(/^chromium-(\d+)$/.exec(name)?.[1] ?? -1);
  return entries
    .filter((name) => revision(name) >= 0)
    .sort((a, b) => revision(b) - revision(a))
    .flatMap((name) =>
      ['chrome-linux', 'chrome-linux64', 'chrome-linux-arm64'].map((dir) =>
        path.join(cache, name, dir, 'chrome'),
      ),
    )
    .filter(isFile);
}

/**
 * The Chromium to test with: `CHROME_PATH` when set to an existing file, else Debian's
 * `/usr/bin/chromium`, else the newest in Playwright's browser cache. Throws a one-line
 * error saying how to get one when there is none.
 */
export function findChromium(): string {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv && isFile(fromEnv)) return fromEnv;
  if (isFile('/usr/bin/chromium')) return '/usr/bin/chromium';
  const cached = playwrightCacheChromiums()[0];
  if (cached) return cached;
  const why = fromEnv
    ? `CHROME_PATH (${fromEnv}) does not exist and no other Chromium was found`
    : 'No Chromium found';
  throw new Error(
    `${why}: install one with \`apt-get install chromium\`, or set CHROME_PATH to a Chromium or Chrome executable.`,
  );
}

/** Launches headless Chromium (Playwright gives it a fresh user-data-dir). Close it when done. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), args: launchArgs });
}

export interface NewPageOptions {
  /** false to test the pages as a browser without JavaScript sees them. Default true. */
  javaScriptEnabled?: boolean;
  /** Lets `goto` and `visit` take paths such as `/sign-in`. */
  baseURL?: string;
}

/** Pages whose context has JavaScript off: axe cannot run in them (no timers fire there). */
const scriptless = new WeakSet<Page>();

/**
 * A page in a context of its own (fresh cookies; axe needs a context's page, not
 * `browser.newPage()`). Closing the browser closes it; `page.context().close()` ends it sooner.
 */
export async function newPage(browser: Browser, options: NewPageOptions = {}): Promise<Page> {
  const javaScriptEnabled = options.javaScriptEnabled ?? true;
  const context = await browser.newContext({ javaScriptEnabled, baseURL: options.baseURL });
  const page = await context.newPage();
  if (!javaScriptEnabled) scriptless.add(page);
  return page;
}

type AxeResults = Awaited<ReturnType<AxeBuilder['analyze']>>;

/**
 * axe with our tags. Legacy mode runs axe once in the page instead of once per frame and then
 * again in a new blank page: about three times faster here (0.3 s against 0.9 s a page). Its
 * one loss, cross-origin iframes go unchecked, does not apply: Waymark pages have none.
 */
function axeOn(page: Page): Promise<AxeResults> {
  return new AxeBuilder({ page })
    .withTags([...axeTags])
    .setLegacyMode()
    .analyze();
}

/** One context per browser for checking copies of pages with JavaScript off; it has no cookies. */
const scratchContexts = new WeakMap<Browser, Promise<BrowserContext>>();

/**
 * axe on a page with JavaScript off, which axe cannot run in: the page's DOM as it stands
 * (scripts removed, `<noscript>` content kept as it showed) is served at the same URL to a page
 * with JavaScript on, and checked there. Its styles and images load from the same server,
 * without cookies (they are public assets).
 */
async function analyzeScriptlessCopy(page: Page): Promise<AxeResults> {
  const html = await page.evaluate(() => {
    const root = document.documentElement.cloneNode(true) as HTMLElement;
    for (const script of Array.from(root.querySelectorAll('script'))) script.remove();
    for (const noscript of Array.from(root.querySelectorAll('noscript')))
      noscript.replaceWith(...Array.from(noscript.childNodes));
    return `<!doctype html>\n${root.outerHTML}`;
  });
  const browser = page.context().browser();
  if (!browser) throw new Error('expectNoAxeViolations needs a page from newPage(browser)');
  let context = scratchContexts.get(browser);
  if (!context) {
    context = browser.newContext({ javaScriptEnabled: true });
    scratchContexts.set(browser, context);
  }
  const copy = await (await context).newPage();
  try {
    const viewport = page.viewportSize();
    if (viewport) await copy.setViewportSize(viewport);
    const url = page.url();
    if (/^https?:/.test(url)) {
      await copy.route(
        (candidate) => candidate.href === url,
        (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
      );
      await copy.goto(url, { waitUntil: 'load' });
    } else {
      await copy.setContent(html, { waitUntil: 'load' });
    }
    return await axeOn(copy);
  } finally {
    await copy.close();
  }
}

/**
 * Runs axe (WCAG 2.2 A and AA) on the page as it is now. Throws, listing every violation with
 * its rule, impact, help text and the first elements affected, when there is any. Pages with
 * JavaScript off (from `newPage(browser, { javaScriptEnabled: false })`) are checked through a
 * copy of their DOM in a page with JavaScript on, since axe needs timers that do not run there.
 */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = scriptless.has(page) ? await analyzeScriptlessCopy(page) : await axeOn(page);
  if (results.violations.length === 0) return;
  const lines = results.violations.map((violation) => {
    const targets = violation.nodes
      .slice(0, 3)
      .map((node) =>
        node.target
          .map((selector) => (typeof selector === 'string' ? selector : selector.join(' >>> ')))
          .join(' | '),
      );
    const more = violation.nodes.length > 3 ? ` and ${violation.nodes.length - 3} more` : '';
    return `- ${violation.id} (${violation.impact ?? 'unknown impact'}): ${violation.help} at ${targets.join(', ')}${more}`;
  });
  throw new Error(
    `${results.violations.length} accessibility violation(s) on ${page.url()}:\n${lines.join('\n')}`,
  );
}

export interface CheckedPage {
  /** The page itself, for filling in fields, clicking and assertions. */
  readonly page: Page;
  /** Every URL axe has checked, in order. */
  readonly checked: readonly string[];
  /** Goes to a URL (a path when the page has a baseURL), then runs axe on what arrived. */
  visit(url: string): Promise<Response | null>;
  /**
   * Clicks a locator (or runs an action) that leads to a new page, such as submitting a form,
   * waits for that page to load, then runs axe on it. Same-URL results (a form shown again with
   * its errors) count as a new page too.
   */
  submit(action: Locator | (() => Promise<unknown>)): Promise<void>;
  /** Runs axe on the current page again, for example after a script changed it. */
  check(): Promise<void>;
}

/** Wraps a page so every page a journey reaches through it is checked with axe. */
export function checkedPage(page: Page): CheckedPage {
  const checked: string[] = [];
  const check = async (): Promise<void> => {
    await expectNoAxeViolations(page);
    checked.push(page.url());
  };
  return {
    page,
    checked,
    check,
    async visit(url) {
      const response = await page.goto(url, { waitUntil: 'load' });
      await check();
      return response;
    },
    async submit(action) {
      const navigated = page.waitForEvent('framenavigated', {
        predicate: (frame) => frame === page.mainFrame(),
      });
      try {
        await (typeof action === 'function' ? action() : action.click());
      } catch (error) {
        navigated.catch(() => undefined); // the action failed; that is the error to report
        throw error;
      }
      await navigated;
      await page.waitForLoadState('load');
      await check();
    },
  };
}
