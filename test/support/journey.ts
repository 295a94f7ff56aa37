import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { currentTotp } from '../../src/modules/auth/totp.ts';
import { checkedPage, type CheckedPage, launchBrowser, newPage } from './browser.ts';
import { buildTestApp, type TestApp } from './build-test-app.ts';
import type { TestUser } from './factories.ts';

/** The app listening on a free local port and a Chromium to drive it: what every browser journey starts from. */
export interface Journey {
  t: TestApp;
  browser: Browser;
  baseURL: string;
  /** A fresh browser context signed in as `user` (with their authenticator code when they have MFA), axe-checked on every page. */
  signedIn(user: TestUser, options?: { javaScriptEnabled?: boolean }): Promise<CheckedPage>;
  close(): Promise<void>;
}

export async function startJourney(): Promise<Journey> {
  const t = await buildTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const baseURL = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const browser = await launchBrowser();
  return {
    t,
    browser,
    baseURL,
    async signedIn(user, options = {}) {
      const page = checkedPage(await newPage(browser, { baseURL, ...options }));
      await page.visit('/sign-in');
      await page.page.getByLabel('Email address').fill(user.email);
      await page.page.getByLabel('Password', { exact: true }).fill(user.password);
      await page.submit(page.page.getByRole('button', { name: 'Sign in' }));
      if (user.totpSecret !== null) {
        await page.page.getByLabel('Enter your security code').fill(await currentTotp(user.totpSecret));
        await page.submit(page.page.getByRole('button', { name: 'Continue' }));
      }
      return page;
    },
    async close() {
      await browser.close();
      await t.app.close();
    },
  };
}

/**
 * The journey of one test file: started before its tests, closed after them. Call it at the top
 * of the file; its fields are there once the tests run.
 */
export function journeyForFile(): Journey {
  const journey = {} as Journey;
  beforeAll(async () => {
    Object.assign(journey, await startJourney());
  });
  afterAll(async () => {
    await journey.close();
  });
  return journey;
}
