// Browser test of the cases pages. One case through four roles: a resident
// submits on a phone through the poster's form (no account) → community
// staff dispatches it on a desktop → the department's handler signs and
// resolves it → the resident rates it through the follow link → it counts
// on the figures page. Then the other pages: the grid worker's report and
// "my reports", the log-in page's "report a problem", a conflict, the
// supervision list, return and ruling, extension, whistle, merge.
//
// Interim (said in the test's output when it applies): the public
// categories route, photo uploads and the figures API are being built
// elsewhere. Categories: when GET /api/v1/public/case-categories answers
// 404 the test answers it with the seeded categories in the documented
// shape. Photos: used when POST /api/v1/photos accepts a PNG. Figures: the
// page's "not available yet" state is checked and the counting is skipped.

import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { launchBrowser, openPage as openPageOf, SHOTS, PHONE, DESKTOP, noHorizontalOverflow, allKeysTranslated } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { seedIdentity, login, PASSWORD } from '../lib/fixtures.mjs';

let srv, browser, f;
const units = {};
const users = {};

// A 2×2 red PNG.
function png() {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(2, 0); ihdr.writeUInt32BE(2, 4); ihdr[8] = 8; ihdr[9] = 2;
  const raw = Buffer.from([0, 255, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255, 0, 0]);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const post = (c, path, body) => c.json(path, { method: 'POST', body: JSON.stringify(body) });

async function newUnit(name) {
  const r = await post(f.admin, '/api/v1/units', { name, type: 'department', area_code: f.areas.communityA });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}
async function newHandler(loginName, unitId) {
  const r = await post(f.admin, '/api/v1/users', { login: loginName, display_name: `${loginName} 科员`, role: 'handler', area_code: f.areas.communityA, unit_id: unitId, password: PASSWORD });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { login: loginName, password: PASSWORD };
}

before(async () => {
  srv = await startServer({ args: ['--access_log', 'off'] });
  f = await seedIdentity(srv);
  units.water = await newUnit('自来水公司东风站');
  units.city = await newUnit('城管执法中队');
  users.water = await newHandler('h_water', units.water);
  users.city = await newHandler('h_city', units.city);
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

async function signIn(page, who) {
  await page.goto(`${srv.url}/#/login`);
  await page.locator('#login-link').waitFor();
  await page.fill('#login-user', who.login);
  await page.fill('#login-password', who.password);
  await page.click('#login-submit');
  await page.locator('#me-button').waitFor();
}

// (Re)opens a case page: the same address again only reloads.
async function openCase(page, id) {
  const url = `${srv.url}/#/cases/${id}`;
  if (page.url() === url) await page.reload();
  else await page.goto(url);
  await page.locator('#case-timeline').waitFor();
}

async function waitState(page, state) {
  await page.locator(`.view-case[data-state="${state}"]`).waitFor();
}

async function check(page, name, width) {
  if (width) await noHorizontalOverflow(page, width);
  await allKeysTranslated(page);
  await page.screenshot({ path: `${SHOTS}cases-${name}.png`, fullPage: true });
}

let followUrl;
let caseId;

test('one case through four roles: resident → staff → department → resident → figures', async () => {

  // 1. A resident on a phone, from the grid's poster.
  {
    const { context, page, problems } = await openPage(PHONE, true);
    try {
      await page.goto(`${srv.url}/#/report?area=${encodeURIComponent(f.areas.gridA)}`);
      await page.locator('#report-place', { hasText: '东风社区第一网格' }).waitFor();
      await page.locator('label[for="cat-water"]').waitFor();
      await page.click('#report-submit'); // nothing chosen yet: told so, nothing sent
      await page.locator('#report-category-error', { hasText: '请选择问题类别' }).waitFor();
      await page.click('label[for="cat-water"]');
      await page.fill('#report-description', '3号楼停水两天了，没人通知');
      await page.fill('#report-address', '东风小区3号楼');
      await page.fill('#report-phone', '13912345678');
      await page.fill('#report-name', '王女士');
      await page.setInputFiles('#report-photos', { name: 'leak.png', mimeType: 'image/png', buffer: png() });
      await page.locator('#report-photos-list li[data-sha]').waitFor();
      await check(page, 'report-phone', PHONE.width);
      await page.click('#report-submit');
      await page.locator('#report-done').waitFor();
      caseId = Number(await page.getAttribute('#report-done', 'data-case-id'));
      followUrl = await page.getAttribute('#report-follow-link', 'href');
      assert.match(followUrl, /#\/follow\/[2-9a-z]{26}$/);
      assert.ok(await page.locator('#report-copy').isVisible());
      await check(page, 'report-done-phone', PHONE.width);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }

  // 2. Community staff on a desktop: the dispatch queue, then the case.
  {
    const { context, page, problems } = await openPage(DESKTOP, false);
    try {
      await signIn(page, f.users.staff);
      await page.locator('#nav-cases-count').waitFor();
      await page.click('#nav-cases');
      await page.locator('#case-tab-dispatch[aria-selected="true"]').waitFor();
      const item = page.locator(`#case-list li[data-id="${caseId}"]`);
      await item.waitFor();
      assert.equal(await item.locator('.unread-dot').count(), 1, 'new to this dispatcher');
      await check(page, 'dispatch-queue-desktop');
      await item.locator('a.case-link').click();
      await page.locator('#act-dispatch[open]').waitFor();
      assert.equal(await page.locator('#case-state').innerText(), '待派单');
      await page.selectOption('#act-dispatch-dept', String(units.water));
      await page.fill('#act-dispatch-text', '请尽快核实');
      await check(page, 'case-dispatch-desktop');
      await page.click('#act-dispatch-submit');
      await waitState(page, 'dispatched');
      assert.equal(await page.locator('#case-lead').innerText(), '自来水公司东风站');
      await page.locator('#case-timeline li[data-action="dispatch"]').waitFor();
      assert.ok(await page.locator('#case-due .countdown').isVisible(), 'the signing deadline counts down');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }

  // 3. The department's handler on a phone: sign, then resolve.
  {
    const { context, page, problems } = await openPage(PHONE, true);
    try {
      await signIn(page, users.water);
      await page.goto(`${srv.url}/#/cases`);
      await page.locator('#case-tab-department[aria-selected="true"]').waitFor();
      const item = page.locator(`#case-list li[data-id="${caseId}"]`);
      await item.locator('.countdown').waitFor();
      await check(page, 'department-inbox-phone', PHONE.width);
      await item.locator('a.case-link').click();
      await page.locator('#act-sign-submit').waitFor();
      await page.click('#act-sign-submit');
      await waitState(page, 'signed');
      // The handler calls the resident back: the number, on request only.
      assert.ok(!(await page.locator('#case-reporter').innerText()).includes('13912345678'));
      await page.click('#case-reveal-phone');
      await page.locator('#case-reporter-phone[href="tel:13912345678"]').waitFor();
      await page.locator('#act-resolve[open]').waitFor();
      await page.click('#act-resolve-submit'); // no result: required
      await page.locator('#act-resolve-result-error:not([hidden])').waitFor();
      await page.fill('#act-resolve-result', '已更换破损水管，恢复供水');
      await page.setInputFiles('#act-resolve-photos', { name: 'fixed.png', mimeType: 'image/png', buffer: png() });
      await page.locator('#act-resolve-photos-list li[data-sha]').waitFor();
      await check(page, 'case-resolve-phone', PHONE.width);
      await page.click('#act-resolve-submit');
      await waitState(page, 'resolved');
      await page.locator('#case-result', { hasText: '已更换破损水管' }).waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }

  // 4. The resident rates through the follow link, in both languages.
  {
    const { context, page, problems } = await openPage(PHONE, true);
    try {
      await page.goto(followUrl);
      await page.locator('#rate-form').waitFor();
      assert.equal(await page.locator('#follow-state').innerText(), '已办结');
      await page.locator('#follow-result', { hasText: '已更换破损水管' }).waitFor();
      assert.ok(!(await page.locator('#follow-timeline').innerText()).includes('h_water'), 'no clerk names');
      await page.click('#lang-switch');
      await page.locator('#follow-title', { hasText: 'Progress' }).waitFor();
      assert.equal(await page.locator('#rate-outcome-legend').innerText(), 'Was it solved?');
      await check(page, 'follow-en-phone', PHONE.width);
      await page.click('#lang-switch');
      await page.click('#rate-submit'); // nothing chosen
      await page.locator('#rate-outcome-error:not([hidden])').waitFor();
      await page.click('label[for="rate-outcome-resolved"]');
      await page.click('label[for="rate-satisfaction-satisfied"]');
      await page.fill('#rate-comment', '师傅很负责');
      await check(page, 'follow-rate-phone', PHONE.width);
      await page.click('#rate-submit');
      await page.locator('#follow-state[data-state="rated"]').waitFor();
      await page.locator('#follow-rating', { hasText: '满意' }).waitFor();
      assert.equal(await page.locator('#rate-form').count(), 0);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }

  // 5. The commander's figures.
  {
    const { context, page, problems } = await openPage(DESKTOP, false);
    try {
      await signIn(page, f.users.commander);
      await page.click('#nav-figures');
      await page.locator('#figures-kpis').waitFor();
      await check(page, 'figures-desktop');
      assert.ok(Number(await page.locator('#kpi-received').innerText()) >= 1, 'the case is counted');
      // The one rated case was rated satisfied and resolved: both rates are whole.
      assert.equal(await page.locator('#kpi-satisfaction_rate').innerText(), '100.0%');
      assert.equal(await page.locator('#kpi-resolution_rate').innerText(), '100.0%');
      await page.locator('#fig-chart-received').waitFor();
      assert.match(await page.getAttribute('#fig-csv', 'href'), /format=csv/);
      await page.click('#fig-tab-department');
      await page.locator('#fig-tab-department[aria-selected="true"]').waitFor();
      await page.locator('#figures-kpis').waitFor();
      await page.locator('#fig-rank-departments', { hasText: '自来水' }).waitFor();
      await page.click('#fig-wall');
      await page.locator('body.wall-mode').waitFor();
      await page.screenshot({ path: `${SHOTS}cases-figures-wall.png` });
      await page.click('#fig-wall');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }
});

test('the log-in page offers "report a problem"; an unknown area code is told', async () => {
  const { context, page, problems, expect } = await openPage(PHONE, true);
  try {
    await page.goto(`${srv.url}/#/login`);
    await page.click('#login-report-link');
    await page.locator('#report-area-form').waitFor();
    expect(404, '/api/v1/public/areas/nope-000');
    await page.fill('#report-area-code', 'nope-000');
    await page.click('#report-area-go');
    await page.locator('#report-place-missing').waitFor();
    await page.goto(`${srv.url}/#/report`);
    await page.fill('#report-area-code', f.areas.gridA);
    await page.click('#report-area-go');
    await page.locator('#report-place', { hasText: '东风社区第一网格' }).waitFor();
    await page.locator('#report-form').waitFor();
    await check(page, 'report-entry-phone', PHONE.width);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a grid worker reports on a phone and finds it in "my reports"', async () => {
  const { context, page, problems } = await openPage(PHONE, true);
  try {
    await signIn(page, f.users.grid_worker);
    await page.goto(`${srv.url}/#/cases`);
    await page.locator('#case-tab-mine[aria-selected="true"]').waitFor();
    await page.click('#case-new');
    await page.locator('label[for="cat-sanitation"]').waitFor();
    await page.locator(`#report-area option[value="${f.areas.buildingA}"]`).waitFor({ state: 'attached' });
    assert.equal(await page.inputValue('#report-area'), f.areas.gridA, 'their grid by default');
    await page.selectOption('#report-area', f.areas.buildingA);
    await page.click('label[for="cat-sanitation"]');
    await page.fill('#report-description', '楼下垃圾堆积，散发异味');
    await page.check('#report-urgent');
    await check(page, 'grid-report-phone', PHONE.width);
    await page.click('#report-submit');
    await page.locator('#case-created').waitFor();
    const item = page.locator('#case-list li.is-new');
    await item.waitFor();
    assert.equal(await item.locator('.case-state').innerText(), '待派单');
    assert.equal(await item.locator('.tag-urgent').count(), 1);
    await check(page, 'my-reports-phone', PHONE.width);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a category\'s extra questions are asked on the resident form and sent as answers', async () => {
  const made = await post(f.admin, '/api/v1/case-categories', {
    code: 'noise', name_zh: '噪音扰民', name_en: 'Noise', parent_code: 'complaint',
    fields: [
      { code: 'source', name_zh: '噪音来源', name_en: 'Source', type: 'singlevaluelist', required: true, values: [{ key: 'building', name: '装修施工' }, { key: 'shop', name: '商铺' }] },
      { code: 'times', name_zh: '发生时段', name_en: 'When', type: 'multivaluelist', values: [{ key: 'day', name: '白天' }, { key: 'night', name: '夜间' }] },
    ],
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const { context, page, problems } = await openPage(PHONE, true);
  try {
    await page.goto(`${srv.url}/#/report?area=${encodeURIComponent(f.areas.gridA)}`);
    await page.click('label[for="cat-noise"]');
    await page.locator('#q-source').waitFor();
    await page.fill('#report-description', '楼上装修，晚上十点还在电钻');
    await page.fill('#report-phone', '13912340000');
    await page.click('#report-submit');
    await page.locator('#q-source-error:not([hidden])', { hasText: '请回答此项' }).waitFor();
    await page.selectOption('#q-source', 'building');
    await page.check('#q-times input[value="night"]');
    await check(page, 'report-questions-phone', PHONE.width);
    await page.click('#report-submit');
    await page.locator('#report-done').waitFor();
    const staff = await f.login('staff');
    const list = await staff.json(`/api/v1/cases?category=noise`);
    assert.equal(list.body.items.length, 1);
    const c = await staff.json(`/api/v1/cases/${list.body.items[0].id}`);
    assert.deepEqual(c.body.attributes, { source: 'building', times: ['night'] });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a signed-in resident reports from their account and follows it under "my reports"', async () => {
  const { context, page, problems } = await openPage(PHONE, true);
  try {
    await signIn(page, f.users.resident);
    await page.goto(`${srv.url}/#/cases`);
    await page.click('#case-new');
    await page.click('label[for="cat-suggestion"]');
    await page.fill('#report-description', '建议在小区门口增设非机动车停放点');
    await check(page, 'resident-report-phone', PHONE.width);
    await page.click('#report-submit');
    await page.locator('#case-list li.is-new').waitFor();
    const resident = await f.login('resident');
    const mine = await resident.json('/api/v1/cases?inbox=mine');
    const c = await resident.json(`/api/v1/cases/${mine.body.items[0].id}`);
    assert.equal(c.body.source, 'resident');
    assert.equal(c.body.area.code, f.areas.gridA, 'their own grid by default');
    assert.equal(c.body.reporter.registered, true);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the 12345 hotline records a call and answers it directly: the case closes at once', async () => {
  const { context, page, problems } = await openPage(DESKTOP, false);
  try {
    await signIn(page, f.users.staff);
    await page.goto(`${srv.url}/#/cases`);
    await page.click('#case-new');
    await page.locator('#report-source').waitFor();
    await page.selectOption('#report-source', 'hotline');
    await page.click('label[for="cat-inquiry"]');
    await page.fill('#report-description', '咨询居住证办理需要哪些材料');
    await page.fill('#report-phone', '029-88886666');
    await page.fill('#report-notes', '来电人姓王，语气平和');
    await page.fill('#report-answer', '已告知需身份证、租房合同和照片，到社区服务站办理');
    await check(page, 'hotline-desktop');
    await page.click('#report-submit');
    await waitState(page, 'closed');
    const timeline = await page.locator('#case-timeline').innerText();
    assert.match(timeline, /直接答复/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

// Cases made through the API for the remaining pages.
async function submitted(description, category = 'complaint') {
  const r = await fetch(`${srv.url}/api/v1/public/cases`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ category, area_code: f.areas.gridA, description, address: '东风小区5号楼', reporter_phone: '13700000000' }),
  });
  assert.equal(r.status, 201);
  return (await r.json()).id;
}
async function dispatched(description, unit, category) {
  const id = await submitted(description, category);
  const staff = await f.login('staff');
  const r = await post(staff, `/api/v1/cases/${id}/actions`, { action: 'dispatch', version: 1, lead_department: unit });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return id;
}

test('someone acting first: the page reloads the case and says so', async () => {
  const id = await submitted('并发派单测试');
  const { context, page, problems, expect } = await openPage(DESKTOP, false);
  try {
    await signIn(page, f.users.staff);
    await openCase(page, id);
    await page.selectOption('#act-dispatch-dept', String(units.water));
    const other = await login(srv, f.users.commander_a.login, f.users.commander_a.password);
    assert.equal((await post(other, `/api/v1/cases/${id}/actions`, { action: 'dispatch', version: 1, lead_department: units.city })).status, 200);
    expect(409, `/api/v1/cases/${id}/actions`);
    await page.click('#act-dispatch-submit');
    await page.locator('#case-notice', { hasText: '已重新加载' }).waitFor();
    await waitState(page, 'dispatched');
    assert.equal(await page.locator('#case-lead').innerText(), '城管执法中队');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('supervision: a commander 督办 and 催办 from the list', async () => {
  const id = await dispatched('燃气管道疑似泄漏', units.water, 'hazard');
  const { context, page, problems } = await openPage(DESKTOP, false);
  try {
    await signIn(page, f.users.commander);
    await page.goto(`${srv.url}/#/cases?inbox=supervision`);
    const item = page.locator(`#case-list li[data-id="${id}"]`);
    await item.waitFor();
    await page.click(`#sup-${id}`);
    await page.fill(`#sup-note-${id}`, '今天下班前处置到位');
    await page.click(`#sup-${id}`);
    await page.locator(`#sup-ok-${id}:not([hidden])`).waitFor();
    await page.click(`#remind-${id}`);
    await page.locator(`#sup-ok-${id}`, { hasText: '已催办' }).waitFor();
    await check(page, 'supervision-desktop');
    await openCase(page, id);
    await page.locator('#case-timeline li[data-action="supervise"]', { hasText: '今天下班前处置到位' }).waitFor();
    await page.locator('#case-timeline li[data-action="remind"]').waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('return and ruling, extension, whistle with report-in and reply, merge, comment', async () => {
  const id = await dispatched('占道经营影响通行', units.water);
  const hw = await openPage(PHONE, true);
  const st = await openPage(DESKTOP, false);
  const hc = await openPage(PHONE, true);
  try {
    // The department returns it; staff rules that it must handle it.
    await signIn(hw.page, users.water);
    await openCase(hw.page, id);
    await hw.page.click('#act-return-toggle');
    await hw.page.selectOption('#act-return-reason', 'not_our_duty');
    await hw.page.fill('#act-return-text', '应由城管处理');
    await hw.page.click('#act-return-submit');
    await waitState(hw.page, 'returned');
    await signIn(st.page, f.users.staff);
    await st.page.goto(`${srv.url}/#/cases?inbox=dispatch`);
    await st.page.locator(`#case-list li[data-id="${id}"][data-state="returned"]`).click();
    await st.page.locator('#act-rule').waitFor();
    await st.page.click('#act-rule-toggle');
    await st.page.click('#act-rule-submit');
    await waitState(st.page, 'dispatched');

    // Sign, then ask for three more days; staff approves.
    await openCase(hw.page, id);
    await hw.page.click('#act-sign-submit');
    await waitState(hw.page, 'signed');
    assert.equal(await hw.page.locator('#act-return').count(), 0, 'ruled: no second return');
    await hw.page.click('#act-request_extension-toggle');
    await hw.page.fill('#act-request_extension-days', '3');
    await hw.page.fill('#act-request_extension-text', '需协调多部门');
    await hw.page.click('#act-request_extension-submit');
    await hw.page.locator('#case-ext-pending').waitFor();
    await openCase(st.page, id);
    await st.page.locator('#act-approve_extension[open]').waitFor();
    await st.page.click('#act-approve_extension-submit');
    await st.page.locator('#case-timeline li[data-action="approve_extension"]').waitFor();

    // Whistle: the city department joins, reports in and replies.
    await st.page.click('#act-whistle-toggle');
    await st.page.check(`#act-whistle-co input[value="${units.city}"]`);
    await st.page.click('#act-whistle-submit');
    await st.page.locator('#case-co', { hasText: '城管执法中队' }).waitFor();
    await signIn(hc.page, users.city);
    await hc.page.goto(`${srv.url}/#/cases`);
    await hc.page.locator(`#case-list li[data-id="${id}"] a`).click();
    await hc.page.click('#act-report_in-toggle');
    await hc.page.click('#act-report_in-submit');
    await hc.page.locator('#case-timeline li[data-action="report_in"]').waitFor();
    await hc.page.locator('#act-reply[open]').waitFor();
    await hc.page.fill('#act-reply-text', '已安排执法队员清理');
    await hc.page.click('#act-reply-submit');
    await hc.page.locator('#case-timeline li[data-action="reply"]', { hasText: '已安排执法队员清理' }).waitFor();
    await check(hc.page, 'case-cohandler-phone', PHONE.width);

    // A comment from the staff side, on a page that others have moved on
    // since: the comment is sent again on the fresh version, not lost.
    st.expect(409, `/api/v1/cases/${id}/actions`);
    await st.page.fill('#case-comment', '请两个部门加强配合');
    await st.page.click('#case-comment-submit');
    await st.page.locator('#case-timeline li[data-action="comment"]', { hasText: '请两个部门加强配合' }).waitFor();
    await check(st.page, 'case-whistle-desktop');

    // A duplicate merges into the open case with one click. The page asks
    // for the candidates on their own route, not with the case.
    const dup = await submitted('占道经营又来了');
    const asked = st.page.waitForResponse((res) => res.url().endsWith(`/api/v1/cases/${dup}/duplicates`) && res.status() === 200);
    await openCase(st.page, dup);
    await asked;
    await st.page.locator(`#case-duplicates li[data-id="${id}"]`).waitFor();
    await st.page.locator(`#merge-${id}`).click();
    await waitState(st.page, 'closed');
    await st.page.locator('#case-timeline li[data-action="merge"]').waitFor();
    for (const p of [hw, st, hc]) assert.deepEqual(p.problems, []);
  } finally {
    for (const p of [hw, st, hc]) await p.context.close();
  }
});

test('the resident withdraws through the follow link before anyone holds it', async () => {
  const r = await fetch(`${srv.url}/api/v1/public/cases`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ category: 'help', area_code: f.areas.gridA, description: '问题已自行解决', reporter_phone: '13700000001' }),
  });
  const { follow_url: url } = await r.json();
  const { context, page, problems } = await openPage(PHONE, true);
  try {
    await page.goto(`${srv.url}${url}`);
    await page.click('#withdraw');
    await page.click('#withdraw-confirm');
    await page.locator('#follow-state[data-state="closed"]').waitFor();
    assert.equal(await page.locator('#withdraw').count(), 0);
    await check(page, 'follow-withdrawn-phone', PHONE.width);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

// The figures page against the documented answer of GET /api/v1/stats/cases,
// answered here while the real route is missing: tiles, charts (Chart.js),
// rankings, downloads, group tabs and the wall screen.
test('figures page: tiles, charts, rankings and downloads from the documented shape', async (t) => {
  const { context, page, problems } = await openPage(DESKTOP, false);
  const rate = (r) => ({ rate: r, numerator: Math.round(r * 20), denominator: 20 });
  const row = (key, name, n) => ({ key, name, received: n, open: 1, overdue: 1, response_rate: rate(0.9), on_time_rate: rate(0.8), resolution_rate: rate(0.75), satisfaction_rate: rate(0.95), avg_handling_hours: 20.5 });
  const answer = {
    totals: { ...row('all', '', 12), by_state: { submitted: 2, closed: 10 } },
    groups: [row(f.areas.gridA, '东风社区第一网格', 8), row(f.areas.gridB, '西关社区第一网格', 4)],
    rankings: { departments: [{ id: units.water, name: '自来水公司东风站', score: 0.925, n: 8, good: 7, rate: 0.875 }], grids: [{ key: f.areas.gridA, name: '东风社区第一网格', score: 0.88, n: 8, good: 7, rate: 0.875 }],
      method: { zh: '得分为威尔逊下限：按时办结且未被评为不满意的比例', en: 'The score is the Wilson lower bound of the share of good cases' } },
  };
  const asked = [];
  try {
    await page.route('**/api/v1/stats/cases?*', async (route) => {
      asked.push(new URL(route.request().url()).searchParams);
      return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(answer) });
    });
    await signIn(page, f.users.commander);
    await page.goto(`${srv.url}/#/figures`);
    await page.locator('#figures-kpis').waitFor();
    await page.locator('#fig-chart-received').waitFor();
    await page.waitForFunction(() => window.Chart && document.querySelector('#fig-chart-rates'));
    assert.equal(await page.locator('#kpi-received').innerText(), '12');
    assert.equal(await page.locator('#kpi-satisfaction_rate').innerText(), '95.0%');
    await page.locator('#fig-rank-departments', { hasText: '自来水公司东风站' }).waitFor();
    await page.locator('#fig-method').click();
    await page.locator('#fig-method', { hasText: '威尔逊下限' }).waitFor();
    const csv = await page.getAttribute('#fig-csv', 'href');
    assert.match(csv, /group_by=area/);
    assert.match(csv, /format=csv/);
    assert.match(await page.getAttribute('#fig-xlsx', 'href'), /format=xlsx/);
    await check(page, 'figures-charts-desktop');
    await page.click('#fig-tab-period');
    await page.locator('#fig-period').waitFor();
    await page.waitForFunction(() => document.querySelector('#fig-csv').href.includes('group_by=period'));
    // The links change before the request reaches the route: wait for it.
    for (let i = 0; i < 100 && !asked.some((q) => q.get('group_by') === 'period'); i++) await page.waitForTimeout(50);
    assert.equal(asked.findLast((q) => q.get('group_by') === 'period')?.get('period'), 'day');
    await page.click('#fig-wall');
    await page.locator('body.wall-mode').waitFor();
    await page.screenshot({ path: `${SHOTS}cases-figures-wall.png` });
    await page.click('#fig-wall');
    await page.locator('body.wall-mode').waitFor({ state: 'detached' });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
