import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  checkedPage,
  expectNoAxeViolations,
  findChromium,
  launchBrowser,
  newPage,
} from '../support/browser.ts';

/**
 * The harness itself, on a few static pages: axe passes a good page, fails a broken one, and
 * checkedPage checks every page a journey reaches.
 */

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body><main><h1>${title}</h1>${body}</main></body>
</html>`;
}

const pages: Record<string, string> = {
  '/': page(
    'Find a service',
    `<p>Search the services your organisation runs.</p>
     <form action="/results" method="get">
       <label for="q">Service name</label>
       <input id="q" name="q" type="text">
       <button type="submit">Search</button>
     </form>
     <p id="enhanced">Works without JavaScript.</p>
     <script>document.getElementById('enhanced').textContent = 'Enhanced by JavaScript.';</script>`,
  ),
  '/results': page('Search results', '<p>No services match.</p><p><a href="/">Search again</a></p>'),
  '/broken': page('Broken page', '<img src="/chart.png"><form><input name="q" type="text"></form>'),
  // Broken only for people without JavaScript.
  '/broken-without-js': page(
    'Chart',
    '<noscript><img src="/chart.png"></noscript><p>Chart data follows.</p>',
  ),
};

let server: http.Server;
let baseURL: string;
let browser: Browser;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const html = pages[url.pathname];
    response.writeHead(html === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html ?? page('Page not found', '<p>No page here.</p>'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('axe checks', () => {
  it('pass an accessible page', async () => {
    const tab = await newPage(browser, { baseURL });
    await tab.goto('/');
    await expect(expectNoAxeViolations(tab)).resolves.toBeUndefined();
  });

  it('fail a page with an image without alt text and a field without a label, naming both', async () => {
    const tab = await newPage(browser, { baseURL });
    await tab.goto('/broken');
    const error: unknown = await expectNoAxeViolations(tab).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`on ${baseURL}/broken`);
    expect(message).toMatch(/- image-alt \(critical\): .* at img/);
    expect(message).toMatch(/- label \(critical\): .* at input/);
  });
});

describe('checkedPage', () => {
  it('checks every page of a journey, including the one a form leads to', async () => {
    const journey = checkedPage(await newPage(browser, { baseURL }));
    const response = await journey.visit('/');
    expect(response?.status()).toBe(200);
    await journey.page.getByLabel('Service name').fill('parking permits');
    await journey.submit(journey.page.getByRole('button', { name: 'Search' }));
    expect(await journey.page.locator('h1').textContent()).toBe('Search results');
    expect(journey.checked).toEqual([`${baseURL}/`, `${baseURL}/results?q=parking+permits`]);
  });

  it('fails the journey on the first inaccessible page it reaches', async () => {
    const journey = checkedPage(await newPage(browser, { baseURL }));
    await expect(journey.visit('/broken')).rejects.toThrow(/image-alt/);
    expect(journey.checked).toEqual([]);
  });

  it('can browse with JavaScript off, as the pages must work without it', async () => {
    const withScripts = checkedPage(await newPage(browser, { baseURL }));
    await withScripts.visit('/');
    expect(await withScripts.page.locator('#enhanced').textContent()).toBe('Enhanced by JavaScript.');

    const withoutScripts = checkedPage(await newPage(browser, { baseURL, javaScriptEnabled: false }));
    await withoutScripts.visit('/');
    expect(await withoutScripts.page.locator('#enhanced').textContent()).toBe('Works without JavaScript.');
    await withoutScripts.submit(() => withoutScripts.page.getByRole('button', { name: 'Search' }).click());
    expect(withoutScripts.checked).toEqual([`${baseURL}/`, `${baseURL}/results?q=`]);
  });

  it('checks the page as it shows without JavaScript, not as it would with it', async () => {
    await checkedPage(await newPage(browser, { baseURL })).visit('/broken-without-js');
    const withoutScripts = checkedPage(await newPage(browser, { baseURL, javaScriptEnabled: false }));
    await expect(withoutScripts.visit('/broken-without-js')).rejects.toThrow(/image-alt/);
  });
});

describe('findChromium', () => {
  const saved = {
    CHROME_PATH: process.env.CHROME_PATH,
    PLAYWRIGHT_BROWSERS_PATH: process.env.PLAYWRIGHT_BROWSERS_PATH,
  };
  afterEach(() => {
    vi.restoreAllMocks();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  });

  it('prefers CHROME_PATH when it names a file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-chrome-'));
    const fake = path.join(dir, 'chrome');
    fs.writeFileSync(fake, '');
    process.env.CHROME_PATH = fake;
    try {
      expect(findChromium()).toBe(fake);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says in one line how to get a browser when there is none', () => {
    process.env.CHROME_PATH = '/nowhere/chrome';
    process.env.PLAYWRIGHT_BROWSERS_PATH = '/nowhere/ms-playwright';
    vi.spyOn(fs, 'statSync').mockImplementation(() => {
      throw new Error('ENOENT');
    });
    expect(findChromium).toThrow(
      /^CHROME_PATH \(\/nowhere\/chrome\) does not exist .*apt-get install chromium.*set CHROME_PATH/,
    );
    expect(() => findChromium()).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('\n') as unknown }),
    );
  });
});
