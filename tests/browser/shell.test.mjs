// Browser test of the web shell: language switch, phone and desktop layout,
// health badge, log-in form error, and no console errors along the way.
// Runs Debian's chromium through playwright-core against build/wangge serve.

import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, SHOTS, PHONE, DESKTOP, noHorizontalOverflow, allKeysTranslated } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';


let srv;
let browser;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  // Each step on its own, so a failure in one still runs the other.
  try {
    if (browser) await browser.close();
  } finally {
    if (srv) await srv.stop();
  }
});

// Opens a page that records every console error and page error. The one
// expected failure is /api/v1/session: nobody is logged in (401) and the
// log-in below is refused, and Chromium logs each refused request as a
// console error.
async function openPage(viewport, mobile) {
  const context = await browser.newContext({
    viewport, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: 1
  });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location().url || '';
    const expected = msg.text().startsWith('Failed to load resource') &&
      new URL(where, srv.url).pathname === '/api/v1/session';
    if (!expected) problems.push(`console: ${msg.text()} (${where})`);
  });
  return { context, page, problems };
}


const text = (page, sel) => page.locator(sel).innerText();


// The modules' entries appear only for a logged-in user (session.js).
const MODULE_ENTRIES = ['#nav-areas', '#nav-users', '#nav-units', '#nav-audit', '#nav-cases',
  '#nav-register', '#nav-campaigns', '#nav-command', '#nav-more'];

async function loggedOutNav(page) {
  for (const sel of MODULE_ENTRIES) assert.equal(await page.locator(sel).count(), 0, `${sel} shown while logged out`);
}

// Interactive elements of the shell are large enough to tap.
async function tapTargets(page) {
  for (const sel of ['#lang-switch', '#login-link', '#nav-home']) {
    const box = await page.locator(sel).boundingBox();
    assert.ok(box && box.width >= 44 && box.height >= 44, `${sel} is ${box && box.width}x${box && box.height}`);
  }
}

test('web shell on a phone: Chinese, English, log-in error', async () => {
  const { context, page, problems } = await openPage(PHONE, true);
  try {
    await page.goto(`${srv.url}/`);

    // Chinese by default.
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.match(await page.title(), /网格通/);
    assert.equal(await text(page, '#app-name'), '网格通');
    assert.equal(await text(page, '#nav-home .nav-text'), '首页');
    assert.equal(await text(page, '#login-link'), '登录');
    await loggedOutNav(page);
    assert.equal(await page.getAttribute('#nav-home', 'aria-current'), 'page');
    await page.locator('#health-badge[data-state="ok"]').waitFor();
    assert.equal(await text(page, '#health-badge'), '服务正常');
    await allKeysTranslated(page);

    // Phone layout: tab bar at the bottom, nothing wider than the screen.
    await noHorizontalOverflow(page, PHONE.width);
    await tapTargets(page);
    const nav = await page.locator('#main-nav').boundingBox();
    assert.ok(nav.y + nav.height >= PHONE.height - 1 && nav.width >= PHONE.width - 1,
      `tab bar at ${JSON.stringify(nav)}`);
    await page.screenshot({ path: `${SHOTS}shell-phone-zh.png` });

    // Switch to English without reloading.
    await page.click('#lang-switch');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await text(page, '#app-name'), 'Wangge');
    assert.equal(await text(page, '#nav-home .nav-text'), 'Home');
    assert.equal(await text(page, '#login-link'), 'Log in');
    assert.equal(await text(page, '#health-badge'), 'Service OK');
    assert.match(await page.title(), /Wangge/);
    await noHorizontalOverflow(page, PHONE.width);
    await page.screenshot({ path: `${SHOTS}shell-phone-en.png` });

    // The choice survives a reload.
    await page.reload();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await text(page, '#app-name'), 'Wangge');
    assert.equal(await page.evaluate(() => localStorage.getItem('wg_lang')), 'en');
    await page.locator('#health-badge[data-state="ok"]').waitFor();

    // Back to Chinese for the log-in page.
    await page.click('#lang-switch');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await text(page, '#nav-home .nav-text'), '首页');

    // Log-in: the form posts JSON and shows the server's refusal inline.
    await page.click('#login-link');
    await page.waitForURL(/#\/login$/);
    assert.equal(await page.getAttribute('#login-link', 'aria-current'), 'page');
    assert.equal(await page.getAttribute('#login-user', 'autocomplete'), 'username');
    assert.equal(await page.getAttribute('#login-password', 'autocomplete'), 'current-password');
    assert.equal(await text(page, 'label[for="login-user"]'), '账号');
    assert.equal(await text(page, 'label[for="login-password"]'), '密码');
    await page.fill('#login-user', 'gridworker01');
    await page.fill('#login-password', 'not-the-password');
    const [request, response] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/api/v1/session') && r.method() === 'POST'),
      page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST'),
      page.press('#login-password', 'Enter')
    ]);
    assert.equal(request.method(), 'POST');
    assert.match(request.headers()['content-type'], /^application\/json/);
    assert.deepEqual(request.postDataJSON(), { login: 'gridworker01', password: 'not-the-password' });
    assert.ok(response.status() >= 400, `log-in answered ${response.status()}`);

    const alert = page.locator('#login-error[role="alert"]');
    await alert.waitFor({ state: 'visible' });
    assert.notEqual((await alert.innerText()).trim(), '');
    if ((await response.json()).error?.code === 'not_found') {
      assert.equal(await alert.innerText(), '登录服务尚未启用');
    }
    assert.equal(await page.isEnabled('#login-submit'), true);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('wg_csrf')), null);
    await noHorizontalOverflow(page, PHONE.width);
    await page.screenshot({ path: `${SHOTS}shell-login.png` });

    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('web shell on a desktop: side navigation', async () => {
  const { context, page, problems } = await openPage(DESKTOP, false);
  try {
    await page.goto(`${srv.url}/`);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN'); // a new browser starts in Chinese
    const nav = page.locator('#main-nav');
    await nav.waitFor({ state: 'visible' });
    const box = await nav.boundingBox();
    assert.ok(box.x < 1 && box.width >= 160 && box.width < 400 && box.height >= 400,
      `side navigation at ${JSON.stringify(box)}`);
    const main = await page.locator('#main').boundingBox();
    assert.ok(main.x >= box.x + box.width - 1, 'content is to the right of the navigation');
    await page.locator('#login-link').waitFor();
    await loggedOutNav(page);
    await page.locator('#health-badge[data-state="ok"]').waitFor();
    await noHorizontalOverflow(page, DESKTOP.width);

    // A module page asks a visitor to log in first, and comes back after.
    await page.goto(`${srv.url}/#/cases`);
    await page.waitForURL(/#\/login\?next=%2Fcases$/);
    await page.locator('#login-form').waitFor();
    assert.equal(await page.getAttribute('#login-link', 'aria-current'), 'page');
    assert.equal(await page.getAttribute('#nav-home', 'aria-current'), null);
    await page.click('#nav-home');
    await page.locator('#health-badge[data-state="ok"]').waitFor();
    await page.screenshot({ path: `${SHOTS}shell-desktop.png` });

    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
