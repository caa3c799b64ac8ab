// What every browser test shares: Debian's chromium through playwright-core,
// the viewports, and where screenshots go.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const SHOTS = fileURLToPath(new URL('../../build/screenshots/', import.meta.url));
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

// Flags keep chromium from reaching the network it is denied here.
const CHROMIUM = '/usr/lib/chromium/chromium';

export async function launchBrowser() {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/deps.sh test installs Debian's chromium`);
  await mkdir(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// The page fits the screen: no sideways scrolling on a phone.
export async function noHorizontalOverflow(page, width) {
  const sw = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(sw <= width, `page is ${sw}px wide on a ${width}px screen`);
}

// Every translation key on the page exists in web/i18n.js, in both languages.
export async function allKeysTranslated(page) {
  const missing = await page.evaluate(async () => {
    const { messages } = await import('/i18n.js');
    const keys = new Set();
    const attrs = ['data-i18n', 'data-i18n-placeholder', 'data-i18n-aria-label', 'data-i18n-title'];
    const roots = [document, ...Array.from(document.querySelectorAll('template'), (t) => t.content)];
    for (const root of roots) {
      for (const a of attrs) {
        for (const el of root.querySelectorAll(`[${a}]`)) keys.add(el.getAttribute(a));
      }
    }
    return [...keys].filter((k) => !messages[k] || !messages[k].zh || !messages[k].en);
  });
  assert.deepEqual(missing, [], 'keys missing from i18n.js');
}

// A page that records every page error and every console error. Chromium
// logs each 4xx/5xx answer to fetch() as "Failed to load resource: ... status
// of N"; a test declares the ones it provokes with expect(status, path[,
// search]) and any other is a problem. The start-up GET /api/v1/session
// answers 401 before logging in: that one is always expected.
export async function openPage(browser, baseUrl, viewport, mobile) {
  const context = await browser.newContext({ viewport, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: 1, permissions: [] });
  const page = await context.newPage();
  const problems = [];
  const expected = [{ status: 401, path: '/api/v1/session' }];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location().url || '';
    const m = /status of (\d+)/.exec(msg.text());
    if (m && where) {
      const u = new URL(where, baseUrl);
      if (expected.some((e) => e.status === Number(m[1]) && e.path === u.pathname &&
        (e.search === undefined || e.search === u.search))) return;
    }
    problems.push(`console: ${msg.text()} (${where})`);
  });
  const expect = (status, path, search) => expected.push({ status, path, search });
  return { context, page, problems, expect };
}
