/**
 * Debian's Chromium driven by playwright-core (no browser download): a fresh, empty
 * profile per run, the flags that keep it from reaching the network on its own, and
 * screenshots under a gitignored folder.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../support/fixtures.js';

export const SCREENSHOTS = path.join(REPO_ROOT, 'test-results', 'console');

export interface ConsoleBrowser {
  page: Page;
  context: BrowserContext;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function openBrowser(executablePath: string): Promise<ConsoleBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'amime-chromium-'));
  const removeProfile = (): void => rmSync(profile, { recursive: true, force: true });
  const context = await chromium
    .launchPersistentContext(profile, {
      executablePath,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      timeout: 30_000,
    })
    .catch((err: unknown) => {
      removeProfile();
      throw err;
    });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    page,
    context,
    screenshot: async (name) => {
      const file = path.join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    close: async () => {
      try {
        await context.close();
      } finally {
        removeProfile();
      }
    },
  };
}
