// Browser test of the identity pages: log-in through the form as admin,
// staff and grid worker (a fresh browser context each, on a phone and on a
// desktop), the top bar, the navigation built from the permissions, the area
// tree within each scope, creating areas, users and units, the audit log, and
// log-out. Runs Debian's chromium through playwright-core against
// build/wangge serve, seeded by tests/lib/fixtures.mjs.

import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage as openPageOf, SHOTS, PHONE, DESKTOP, noHorizontalOverflow, allKeysTranslated } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { seedIdentity } from '../lib/fixtures.mjs';


const ROLE_ZH = {
  admin: '系统管理员', commander: '指挥中心', staff: '社区/街道工作人员', grid_worker: '网格员', handler: '部门/单位',
  sampler: '采样员', checkpoint: '卡口人员', volunteer: '志愿者', resident: '居民'
};
const MANAGED = ['areas', 'users', 'units', 'audit'];
const COMING_SOON = ['cases', 'register', 'campaigns', 'command'];

let srv;
let browser;
let f;

before(async () => {
  srv = await startServer();
  f = await seedIdentity(srv);
  browser = await launchBrowser();
});

after(async () => {
  try {
    if (browser) await browser.close();
  } finally {
    if (srv) await srv.stop();
  }
});

const openPage = (viewport, mobile) => openPageOf(browser, srv.url, viewport, mobile);

const text = async (page, sel) => (await page.locator(sel).innerText()).trim();
const count = (page, sel) => page.locator(sel).count();



// Answers the next `method path` request with an error envelope instead of
// the server (for answers a real server gives only in rare states).
async function fakeOnce(page, method, path, status, code, headers = {}) {
  let done = false;
  await page.route((url) => url.pathname === path, (route) => {
    if (done || route.request().method() !== method) return route.fallback();
    done = true;
    return route.fulfill({
      status, headers, contentType: 'application/json',
      body: JSON.stringify({ error: { code, message: code, field: null } })
    });
  });
}

// Logs in through the form; answers what GET /api/v1/session said afterwards.
async function login(page, who) {
  await page.goto(`${srv.url}/#/login`);
  await page.locator('#login-form').waitFor();
  await page.locator('#login-link').waitFor(); // the start-up session check is done
  await page.fill('#login-user', who.login);
  await page.fill('#login-password', who.password);
  const [, res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST'),
    page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'GET' && r.status() === 200),
    page.click('#login-submit')
  ]);
  const session = await res.json();
  await page.waitForURL(/#\/home$/);
  await page.locator('#me-button').waitFor();
  const csrf = await page.evaluate(() => sessionStorage.getItem('wg_csrf'));
  assert.equal(csrf, session.csrf_token, 'the CSRF token is kept for the tab');
  return session;
}

// Name, role and scope in the top bar; on a phone behind the user chip.
async function checkTopBar(page, session, role, phone) {
  assert.equal(session.user.role, role);
  assert.equal(await text(page, '#me-name'), session.user.display_name);
  if (!phone) {
    assert.equal(await text(page, '#me-scope'), session.scope.name);
    assert.equal(await text(page, '#me-role'), ROLE_ZH[role]);
  }
  assert.equal(await page.getAttribute('#me-button', 'aria-expanded'), 'false');
  await page.click('#me-button');
  await page.locator('#me-menu').waitFor({ state: 'visible' });
  assert.equal(await page.getAttribute('#me-button', 'aria-expanded'), 'true');
  assert.equal(await text(page, '#me-menu-role'), ROLE_ZH[role]);
  assert.equal(await text(page, '#me-menu-scope'), session.scope.name);
  assert.ok(await page.locator('#logout-button').isVisible());
  await page.keyboard.press('Escape');
  await page.locator('#me-menu').waitFor({ state: 'hidden' });
}

// Exactly the allowed entries exist; on a phone at most five sit on the bar.
async function checkNav(page, allowed, phone) {
  for (const key of MANAGED) {
    assert.equal(await count(page, `#nav-${key}`), allowed.includes(key) ? 1 : 0,
      `#nav-${key} ${allowed.includes(key) ? 'missing' : 'shown without permission'}`);
  }
  for (const key of ['home', ...COMING_SOON]) assert.equal(await count(page, `#nav-${key}`), 1, `#nav-${key}`);
  const total = 1 + allowed.length + COMING_SOON.length;
  const bar = await page.locator('#nav-primary > li').count();
  if (phone) {
    assert.equal(bar, Math.min(total, 5));
    const order = ['home', ...MANAGED.filter((k) => allowed.includes(k)), ...COMING_SOON];
    for (const key of order.slice(0, 4)) assert.ok(await page.locator(`#nav-${key}`).isVisible(), `#nav-${key} on the bar`);
    assert.ok(await page.locator('#nav-more').isVisible());
    for (const key of order.slice(4)) assert.ok(!(await page.locator(`#nav-${key}`).isVisible()), `#nav-${key} behind More`);
    for (const sel of ['#nav-home', '#nav-more']) {
      const box = await page.locator(sel).boundingBox();
      assert.ok(box.width >= 44 && box.height >= 44, `${sel} is ${box.width}x${box.height}`);
    }
    await page.click('#nav-more');
    for (const key of order.slice(4)) await page.locator(`#nav-${key}`).waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await page.locator(`#nav-${order[4]}`).waitFor({ state: 'hidden' });
  } else {
    assert.ok(!(await page.locator('#nav-more').isVisible()), 'no More on a desktop');
    for (const key of ['home', ...allowed, ...COMING_SOON]) {
      assert.ok(await page.locator(`#nav-${key}`).isVisible(), `#nav-${key} in the side navigation`);
    }
  }
}

// Opens an area page and waits for its children (or the empty note).
async function openArea(page, code) {
  await page.goto(`${srv.url}/#/areas${code ? `/${encodeURIComponent(code)}` : ''}`);
  await page.locator('#area-current').waitFor();
  await page.locator('#area-list > li, #area-empty:not([hidden])').first().waitFor();
}

async function dataCodes(page) {
  return page.$$eval('#view [data-code]', (els) => els.map((e) => e.getAttribute('data-code')));
}

// Every area on the page lies in the subtree of `root` (codes nest by prefix
// in the fixture).
async function onlyWithin(page, root) {
  const codes = await dataCodes(page);
  assert.ok(codes.length > 0);
  for (const c of codes) assert.ok(c.startsWith(root), `${c} shown outside ${root}`);
}

async function logout(page) {
  await page.click('#me-button');
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'DELETE'),
    page.click('#logout-button')
  ]);
  await page.waitForURL(/#\/login$/);
  await page.locator('#login-form').waitFor({ state: 'visible' });
  await page.locator('#login-link').waitFor({ state: 'visible' });
  assert.equal(await count(page, '#me-button'), 0);
  for (const key of [...MANAGED, ...COMING_SOON]) assert.equal(await count(page, `#nav-${key}`), 0, `#nav-${key} after log-out`);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('wg_csrf')), null);
  // The session is gone on the server too: a protected page asks to log in.
  await page.goto(`${srv.url}/#/areas`);
  await page.waitForURL(/#\/login\?next=%2Fareas$/);
  await page.locator('#login-form').waitFor({ state: 'visible' });
}

test('admin on a phone: log-in errors, top bar, navigation, area tree, new user', async () => {
  const { context, page, problems, expect } = await openPage(PHONE, true);
  try {
    // Logged out: only Home, and the log-in link.
    await page.goto(`${srv.url}/`);
    await page.locator('#login-link').waitFor();
    for (const key of [...MANAGED, ...COMING_SOON]) assert.equal(await count(page, `#nav-${key}`), 0);

    // A wrong password, then a throttled attempt (answer faked: a real one
    // would lock the account for the rest of the test).
    expect(401, '/api/v1/session');
    await page.goto(`${srv.url}/#/login`);
    await page.fill('#login-user', f.users.admin.login);
    await page.fill('#login-password', `${f.users.admin.password}-wrong`);
    await page.click('#login-submit');
    await page.locator('#login-error').waitFor({ state: 'visible' });
    assert.equal(await text(page, '#login-error'), '账号或密码错误');
    expect(429, '/api/v1/session');
    await fakeOnce(page, 'POST', '/api/v1/session', 429, 'too_many_requests', { 'Retry-After': '30' });
    await page.click('#login-submit');
    await page.locator('#login-error', { hasText: '30' }).waitFor();
    assert.equal(await text(page, '#login-error'), '尝试次数过多，请 30 秒后再试');
    await page.unrouteAll();

    const session = await login(page, f.users.admin);
    assert.equal(session.scope.code, f.areas.root);
    await checkTopBar(page, session, 'admin', true);
    await checkNav(page, ['areas', 'users', 'units', 'audit'], true);
    await noHorizontalOverflow(page, PHONE.width);

    // The area tree starts at the scope root, whose child is the city.
    await page.click('#nav-areas');
    await page.locator('#area-current').waitFor();
    await page.locator(`#area-list > li[data-code="${f.areas.city}"]`).waitFor();
    assert.equal(await page.getAttribute('#area-current', 'data-code'), f.areas.root);
    assert.equal(await page.getAttribute('#nav-areas', 'aria-current'), 'page');
    // Tap down to the town: breadcrumbs follow.
    await page.click(`#area-list > li[data-code="${f.areas.city}"] a`);
    await page.waitForURL(new RegExp(`#/areas/${f.areas.city}$`));
    await page.locator(`#area-list > li[data-code="${f.areas.county}"]`).waitFor();
    await openArea(page, f.areas.town);
    const crumbs = await page.$$eval('#area-breadcrumbs li', (els) => els.map((e) => e.getAttribute('data-code')));
    assert.deepEqual(crumbs, [f.areas.root, f.areas.city, f.areas.county, f.areas.town]);
    assert.equal(await count(page, `#area-list > li[data-code="${f.areas.communityA}"]`), 1);
    assert.equal(await count(page, `#area-list > li[data-code="${f.areas.communityB}"]`), 1);
    // Levels below a town only.
    const levels = await page.$$eval('#area-level option', (os) => os.map((o) => o.value));
    assert.deepEqual(levels, ['community', 'grid', 'building']);
    await noHorizontalOverflow(page, PHONE.width);
    await allKeysTranslated(page);
    await page.screenshot({ path: `${SHOTS}identity-admin-phone.png` });

    // A new user through the form.
    await page.click('#nav-users');
    await page.locator('#user-list tbody tr').first().waitFor();
    await page.click('#user-create summary');
    const roles = await page.$$eval('#user-role option', (os) => os.map((o) => o.value).filter(Boolean));
    assert.deepEqual(roles.sort(), Object.keys(ROLE_ZH).sort(), 'an admin may grant every role');
    await page.fill('#user-login', 'ui_grid_01');
    await page.fill('#user-name', '界面网格员');
    await page.selectOption('#user-role', 'grid_worker');
    await page.fill('#user-area', f.areas.gridA);
    await page.fill('#user-phone', '13900001111');
    await page.fill('#user-password', 'Ui-test-passw0rd!');
    await page.click('#user-submit');
    const row = page.locator('#user-list tr[data-login="ui_grid_01"]');
    await row.waitFor();
    assert.match(await row.innerText(), /界面网格员/);
    assert.match(await row.innerText(), /网格员/);
    await page.locator('#user-form-ok').waitFor({ state: 'visible' });
    // The same login again: the error sits next to the login field.
    expect(409, '/api/v1/users');
    expect(422, '/api/v1/users');
    await page.fill('#user-login', 'ui_grid_01');
    await page.fill('#user-name', '重复账号');
    await page.selectOption('#user-role', 'grid_worker');
    await page.fill('#user-password', 'Ui-test-passw0rd!');
    await page.click('#user-submit');
    await page.locator('#user-login-error').waitFor({ state: 'visible' });
    assert.notEqual(await text(page, '#user-login-error'), '');
    assert.equal(await page.getAttribute('#user-login', 'aria-invalid'), 'true');
    await noHorizontalOverflow(page, PHONE.width);
    await allKeysTranslated(page);

    await logout(page);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('admin on a desktop: manage areas, edit a user, units, audit, log-out', async () => {
  const { context, page, problems, expect } = await openPage(DESKTOP, false);
  try {
    const session = await login(page, f.users.admin);
    await checkTopBar(page, session, 'admin', false);
    await checkNav(page, ['areas', 'users', 'units', 'audit'], false);

    // Add a community below the town, rename it, delete it.
    const code = `${f.areas.town}099`;
    await openArea(page, f.areas.town);
    await page.fill('#area-code', code);
    await page.fill('#area-name', '界面测试社区');
    await page.selectOption('#area-level', 'community');
    await page.click('#area-add-submit');
    const item = page.locator(`#area-list > li[data-code="${code}"]`);
    await item.waitFor();
    assert.match(await item.innerText(), /界面测试社区/);
    assert.match(await item.innerText(), /社区\/村/);
    await page.screenshot({ path: `${SHOTS}identity-admin-desktop.png` });
    await item.locator('a').click();
    await page.waitForURL(new RegExp(`#/areas/${code}$`));
    await page.locator(`#area-current[data-code="${code}"]`).waitFor();
    await page.click('#area-rename');
    await page.fill('#area-rename-name', '界面测试社区（改）');
    await page.click('#area-rename-submit');
    await page.locator('#area-current-name', { hasText: '（改）' }).waitFor();
    await page.click('#area-delete');
    await page.click('#area-delete-confirm');
    await page.waitForURL(new RegExp(`#/areas/${f.areas.town}$`));
    await page.locator(`#area-list > li[data-code="${f.areas.communityA}"]`).waitFor();
    assert.equal(await count(page, `#area-list > li[data-code="${code}"]`), 0);

    // A community with grids cannot be deleted.
    expect(409, `/api/v1/areas/${f.areas.communityA}`);
    await openArea(page, f.areas.communityA);
    await page.click('#area-delete');
    await page.click('#area-delete-confirm');
    await page.locator('#area-action-error').waitFor({ state: 'visible' });
    assert.equal(await text(page, '#area-action-error'), '该区域下还有下级或数据，不能删除');

    // Users: a table; disable the user made on the phone, and enable again.
    await page.click('#nav-users');
    await page.locator('#users-q').waitFor();
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/users?') && r.url().includes('q=ui_grid')),
      page.fill('#users-q', 'ui_grid')
    ]);
    const row = page.locator('#user-list tr[data-login="ui_grid_01"]');
    await row.waitFor();
    assert.ok(await page.locator('#user-list thead').isVisible(), 'a table header on a desktop');
    await row.locator('.user-edit').click();
    await page.locator('#user-edit').waitFor({ state: 'visible' });
    assert.equal(await page.inputValue('#edit-area'), f.areas.gridA);
    await page.click('#edit-active');
    await page.locator('#user-list tr[data-login="ui_grid_01"].is-inactive').waitFor();
    await page.click('#edit-active');
    await page.locator('#user-list tr[data-login="ui_grid_01"]:not(.is-inactive)').waitFor();
    await page.fill('#edit-name', '界面网格员（改）');
    await page.click('#edit-save');
    await page.locator('#user-list tr[data-login="ui_grid_01"]', { hasText: '（改）' }).waitFor();
    await page.click('#edit-close');
    await page.locator('#user-edit').waitFor({ state: 'hidden' });

    // Units: create one; a lost CSRF token is explained (answer faked).
    await page.click('#nav-units');
    await page.locator('#unit-list tbody tr, #units-empty:not([hidden])').first().waitFor();
    await page.click('#unit-create summary');
    await page.fill('#unit-name', '界面测试卫生院');
    await page.selectOption('#unit-type', 'unit');
    await page.fill('#unit-area', f.areas.town);
    expect(403, '/api/v1/units');
    await fakeOnce(page, 'POST', '/api/v1/units', 403, 'csrf_failed');
    await page.click('#unit-submit');
    await page.locator('#unit-form-error').waitFor({ state: 'visible' });
    assert.equal(await text(page, '#unit-form-error'), '会话已失效，请重新登录');
    await page.unrouteAll();
    await page.click('#unit-submit');
    await page.locator('#unit-list tr', { hasText: '界面测试卫生院' }).waitFor();
    assert.match(await page.locator('#unit-list tr', { hasText: '界面测试卫生院' }).innerText(), /驻区单位/);

    // Audit: what was just done, in Beijing time, filterable by user.
    await page.click('#nav-audit');
    await page.locator('#audit-list tbody tr').first().waitFor();
    const first = page.locator('#audit-list tbody tr').first();
    assert.match(await first.locator('time').innerText(), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    await page.fill('#audit-user', f.users.admin.login);
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/audit?') && r.url().includes('user=')),
      page.click('#audit-search')
    ]);
    await page.locator('#audit-list tbody tr').first().waitFor();
    const users = await page.$$eval('#audit-list .audit-user', (els) => els.map((e) => e.textContent.trim()));
    assert.ok(users.length > 0 && users.every((u) => u === f.users.admin.login), `audit users: ${users}`);
    // A time span entered in Beijing time goes out in UTC.
    await page.fill('#audit-since', '2020-01-01T08:00');
    await page.fill('#audit-until', '2099-01-01T08:00');
    const [req] = await Promise.all([
      page.waitForRequest((r) => r.url().includes('/api/v1/audit?') && r.url().includes('since=')),
      page.click('#audit-search')
    ]);
    const sent = new URL(req.url()).searchParams;
    assert.equal(sent.get('since'), '2020-01-01T00:00:00Z');
    assert.equal(sent.get('until'), '2099-01-01T00:00:00Z');
    await page.locator('#audit-list tbody tr').first().waitFor();
    await allKeysTranslated(page);
    await noHorizontalOverflow(page, DESKTOP.width);

    await logout(page);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

for (const mobile of [true, false]) {
  const kind = mobile ? 'phone' : 'desktop';

  test(`staff on a ${kind}: community scope, no audit`, async () => {
    const { context, page, problems, expect } = await openPage(mobile ? PHONE : DESKTOP, mobile);
    try {
      const session = await login(page, f.users.staff);
      assert.equal(session.scope.code, f.areas.communityA);
      await checkTopBar(page, session, 'staff', mobile);
      await checkNav(page, ['areas', 'users', 'units'], mobile);

      await openArea(page);
      assert.equal(await page.getAttribute('#area-current', 'data-code'), f.areas.communityA);
      await page.locator(`#area-list > li[data-code="${f.areas.gridA}"]`).waitFor();
      await onlyWithin(page, f.areas.communityA);
      assert.equal(await count(page, `[data-code="${f.areas.communityB}"]`), 0);
      assert.ok(!(await page.locator('#view').innerText()).includes(f.areas.communityB));
      assert.equal(await count(page, '#area-delete'), 0, 'the own scope root cannot be deleted');
      assert.equal(await count(page, '#area-add-form'), 1);
      if (mobile) await noHorizontalOverflow(page, PHONE.width);
      await page.screenshot({ path: `${SHOTS}identity-staff-${kind}.png` });

      // Outside the scope is "not found", like a missing area.
      expect(404, `/api/v1/areas/${f.areas.communityB}`);
      expect(404, '/api/v1/areas', `?parent=${f.areas.communityB}`);
      await page.goto(`${srv.url}/#/areas/${f.areas.communityB}`);
      await page.locator('#area-notfound').waitFor();

      // Users: only roles up to staff can be granted; the audit page is not offered.
      await page.goto(`${srv.url}/#/users`);
      await page.locator('#user-list').waitFor();
      await page.locator('#user-list tbody tr, #users-empty:not([hidden])').first().waitFor();
      const roles = await page.$$eval('#user-role option', (os) => os.map((o) => o.value).filter(Boolean));
      assert.deepEqual(roles.sort(), ['checkpoint', 'grid_worker', 'handler', 'resident', 'sampler', 'staff', 'volunteer']);
      for (const area of await page.$$eval('#user-list .area-code', (els) => els.map((e) => e.textContent.trim()))) {
        assert.ok(area.startsWith(f.areas.communityA), `user in ${area} shown to staff`);
      }
      await page.goto(`${srv.url}/#/audit`);
      await page.locator('#message-title').waitFor();
      assert.equal(await text(page, '#message-title'), '没有权限');
      if (mobile) await noHorizontalOverflow(page, PHONE.width);
      await allKeysTranslated(page);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test(`grid worker on a ${kind}: one grid, no users, no audit`, async () => {
    const { context, page, problems, expect } = await openPage(mobile ? PHONE : DESKTOP, mobile);
    try {
      const session = await login(page, f.users.grid_worker);
      assert.equal(session.scope.code, f.areas.gridA);
      await checkTopBar(page, session, 'grid_worker', mobile);
      await checkNav(page, ['areas', 'units'], mobile);

      await page.click('#nav-areas');
      await page.locator('#area-current').waitFor();
      await page.locator('#area-list > li, #area-empty:not([hidden])').first().waitFor();
      assert.equal(await page.getAttribute('#area-current', 'data-code'), f.areas.gridA);
      await onlyWithin(page, f.areas.gridA);
      assert.equal(await count(page, '#area-add-form'), 0, 'no forms without areas.manage');
      assert.equal(await count(page, '#area-rename'), 0);
      if (mobile) await noHorizontalOverflow(page, PHONE.width);
      await page.screenshot({ path: `${SHOTS}identity-grid_worker-${kind}.png` });

      expect(404, `/api/v1/areas/${f.areas.gridB}`);
      expect(404, '/api/v1/areas', `?parent=${encodeURIComponent(f.areas.gridB)}`);
      expect(404, '/api/v1/areas', `?parent=${f.areas.gridB}`);
      await page.goto(`${srv.url}/#/areas/${f.areas.gridB}`);
      await page.locator('#area-notfound').waitFor();
      assert.match(await text(page, '#area-notfound'), /区域不存在/);
      assert.ok(!(await page.locator('#view').innerText()).includes(f.areas.gridB));

      // Units can be read, not created; users cannot be opened.
      await page.click('#nav-units');
      await page.locator('#unit-list tbody tr, #units-empty:not([hidden])').first().waitFor();
      assert.equal(await count(page, '#unit-form'), 0);
      await page.goto(`${srv.url}/#/users`);
      await page.locator('#message-title').waitFor();
      assert.equal(await text(page, '#message-title'), '没有权限');
      await allKeysTranslated(page);

      if (mobile) await logout(page);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}
