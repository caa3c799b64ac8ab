// Browser test of the register pages: a grid worker on a phone lands on
// "My grid", adds a household and a member with a resident ID, opens the
// person (masked), reveals the number (audited) and moves the person out;
// staff on a desktop imports a real XLSX file built here (a tiny zip writer:
// node has deflate but no zip), sees the one bad row, imports the corrected
// file, and finds an imported person through the search. Runs Debian's
// chromium through playwright-core against build/wangge serve, seeded by
// tests/lib/fixtures.mjs.

import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';
import { launchBrowser, SHOTS, PHONE, DESKTOP, noHorizontalOverflow, allKeysTranslated } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { seedIdentity } from '../lib/fixtures.mjs';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

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

/* ------------------------------------------------------------------ */
/* Resident ID numbers (GB 11643: MOD 11-2 check character)             */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

function residentId(first17) {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return first17 + CHECK[sum % 11];
}

// The same number with a wrong check character.
function badCheck(first17) {
  const good = residentId(first17);
  return first17 + (good.endsWith('0') ? '1' : '0');
}

/* ------------------------------------------------------------------ */
/* A minimal XLSX: five XML parts in a zip (deflate, CRC-32, central    */
/* directory), cells as inline strings                                  */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// files: [[name, string|Buffer]] -> the bytes of a zip archive.
function zip(files) {
  const now = new Date();
  const time = (now.getHours() << 11) | (now.getMinutes() << 5) | (now.getSeconds() >> 1);
  const date = ((now.getFullYear() - 1980) << 9) | ((now.getMonth() + 1) << 5) | now.getDate();
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, content] of files) {
    const nameBuf = Buffer.from(name, 'utf8');
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    const packed = deflateRawSync(data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // names in UTF-8
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by
    central.writeUInt16LE(20, 6); // needed
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    // extra, comment, disk, internal and external attributes: 0
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, packed);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function columnName(i) {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

// rows: arrays of strings, the first the header -> an .xlsx file.
function xlsx(rows) {
  const xmlHead = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
  const sheetRows = rows.map((cells, r) => `<row r="${r + 1}">${cells.map((v, c) => (v === ''
    ? ''
    : `<c r="${columnName(c)}${r + 1}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`)).join('')}</row>`).join('');
  return zip([
    ['[Content_Types].xml', `${xmlHead}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
      '</Types>'],
    ['_rels/.rels', `${xmlHead}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
      '</Relationships>'],
    ['xl/workbook.xml', `${xmlHead}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
      '<sheets><sheet name="户籍" sheetId="1" r:id="rId1"/></sheets></workbook>'],
    ['xl/_rels/workbook.xml.rels', `${xmlHead}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
      '</Relationships>'],
    ['xl/worksheets/sheet1.xml', `${xmlHead}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
      `<sheetData>${sheetRows}</sheetData></worksheet>`]
  ]);
}

/* ------------------------------------------------------------------ */
/* Pages                                                                */

// A page that records every console error and page error. Chromium logs
// each 4xx answer to fetch() as "Failed to load resource: ... status of N";
// a test declares the ones it provokes with expect(status, path) and any
// other is a failure. The start-up GET /api/v1/session answers 401 before
// logging in: that one is always expected.
async function openPage(viewport, mobile) {
  const context = await browser.newContext({ viewport, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems = [];
  const expected = [{ status: 401, path: '/api/v1/session' }];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location().url || '';
    const m = /^Failed to load resource: the server responded with a status of (\d+)/.exec(msg.text());
    if (m && where) {
      const u = new URL(where, srv.url);
      if (expected.some((e) => e.status === Number(m[1]) && e.path === u.pathname)) return;
    }
    problems.push(`console: ${msg.text()} (${where})`);
  });
  const expect = (status, path) => expected.push({ status, path });
  return { context, page, problems, expect };
}

const text = async (page, sel) => (await page.locator(sel).innerText()).trim();



// Logs in through the form; answers what GET /api/v1/session said afterwards.
async function login(page, who) {
  await page.goto(`${srv.url}/#/login`);
  await page.locator('#login-form').waitFor();
  await page.locator('#login-link').waitFor();
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
  return session;
}

// Clicks a download link; answers the file's text.
async function download(page, sel) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(sel)]);
  const path = await file.path();
  return (await readFile(path)).toString('utf8');
}

/* ------------------------------------------------------------------ */

const ZHANG_ID = '11010519491231002X'; // female, born 1949-12-31
const ZHANG_PHONE = '13912345678';

test('grid worker on a phone: my grid, a household and a member, reveal, move out', async () => {
  const { context, page, problems, expect } = await openPage(PHONE, true);
  try {
    const session = await login(page, f.users.grid_worker);
    assert.equal(session.scope.code, f.areas.gridA);
    assert.ok(session.permissions.includes('persons.reveal'));

    // The landing after log-in is "My grid": the grid's households, empty yet.
    await page.locator('#my-grid').waitFor();
    assert.equal(await text(page, '#my-grid-title'), '我的网格');
    assert.equal(await text(page, '#my-grid-name'), session.scope.name);
    await page.locator('#households-empty:not([hidden])').waitFor();
    await page.locator('#my-grid-counts .grid-counts').waitFor();
    assert.equal(await text(page, '#my-grid-counts .grid-counts'), '0 户 · 0 人');
    const box = await page.locator('#person-search').boundingBox();
    assert.ok(box.height >= 52 && box.width >= 200, `the search box is ${box.width}x${box.height}`);
    assert.equal(await page.locator('#nav-register').count(), 1, 'the register is offered');
    assert.equal(await page.locator('#nav-import').count(), 1, 'the import is offered');
    await noHorizontalOverflow(page, PHONE.width);
    await page.screenshot({ path: `${SHOTS}register-grid-home-phone.png` });

    // Add a household: it opens, ready for its members.
    await page.click('#household-add');
    await page.locator('#household-form').waitFor({ state: 'visible' });
    await page.locator('#household-form-tags input[value="rental"]').waitFor();
    await page.fill('#household-form-address', '东风小区1号楼1单元101');
    await page.check('#household-form-tags input[value="rental"]');
    const [created] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/households') && r.request().method() === 'POST'),
      page.click('#household-form-submit')
    ]);
    assert.equal(created.status(), 201);
    assert.equal(created.request().postDataJSON().area_code, f.areas.gridA);
    await page.waitForURL(/#\/households\/\d+$/);
    await page.locator('#household-card').waitFor();
    assert.equal(await text(page, '#household-title'), '东风小区1号楼1单元101');
    assert.equal(await text(page, '#household-tags'), '出租户');
    await page.locator('#members-empty:not([hidden])').waitFor();

    // A member with a resident ID: sex and birth date follow from it.
    assert.equal(await page.inputValue('#member-relation'), 'head', 'the first member is the head');
    await page.fill('#member-name', '张桂英');
    await page.fill('#member-id-number', ZHANG_ID);
    assert.ok(await page.locator('#member-extra').isHidden(), 'no sex or birth date to type');
    await page.fill('#member-phone', ZHANG_PHONE);
    await page.check('#member-tags input[value="elderly_alone"]');
    await page.click('#member-submit');
    const row = page.locator('#member-list tr.person-row', { hasText: '张桂英' });
    await row.waitFor();
    const rowText = await row.innerText();
    for (const want of ['户主', '女', '1949-12-31', '110105********002X', '139****5678', '在住', '独居老人']) {
      assert.ok(rowText.includes(want), `member row lacks ${want}: ${rowText}`);
    }
    assert.ok(!rowText.includes(ZHANG_ID) && !rowText.includes(ZHANG_PHONE), 'identifiers are masked');
    await page.locator('#member-form-ok:not([hidden])').waitFor();
    assert.equal(await text(page, '#household-count'), '1 人');
    assert.equal(await row.evaluate((tr) => getComputedStyle(tr).display), 'grid', 'cards on a phone');

    // A mistyped ID number, then the same person again: both refused, and
    // said next to the ID field.
    expect(422, '/api/v1/persons');
    expect(409, '/api/v1/persons');
    await page.fill('#member-name', '张桂英');
    await page.fill('#member-id-number', '110105194912310021');
    await page.click('#member-submit');
    await page.locator('#member-id-number-error').waitFor({ state: 'visible' });
    assert.equal(await text(page, '#member-id-number-error'), '证件号码无效：请核对位数、出生日期和校验位');
    assert.equal(await page.getAttribute('#member-id-number', 'aria-invalid'), 'true');
    await page.fill('#member-id-number', ZHANG_ID.toLowerCase());
    await page.click('#member-submit');
    await page.locator('#member-id-number-error', { hasText: '该证件号码已经登记' }).waitFor();
    assert.equal(await page.locator('#member-list tr.person-row').count(), 1);
    await page.fill('#member-name', '');
    await page.fill('#member-id-number', '');
    await noHorizontalOverflow(page, PHONE.width);
    await page.screenshot({ path: `${SHOTS}register-household-phone.png`, fullPage: true });

    // The person: masked, then revealed (and the view is recorded).
    await row.locator('a.person-link').click();
    await page.waitForURL(/#\/persons\/\d+$/);
    const personId = page.url().split('/').pop();
    await page.locator('#person-id-number').waitFor();
    assert.equal(await text(page, '#person-title'), '张桂英');
    assert.equal(await text(page, '#person-id-number'), '110105********002X');
    assert.equal(await text(page, '#person-phone'), '139****5678');
    assert.equal(await text(page, '#person-sex'), '女');
    assert.equal(await text(page, '#person-birth'), '1949-12-31');
    assert.equal(await text(page, '#person-relation'), '户主');
    assert.equal(await text(page, '#person-status-pill'), '在住');
    assert.ok(await page.locator('#reveal-note').isHidden());
    const [revealed] = await Promise.all([
      page.waitForResponse((r) => r.url().includes(`/api/v1/persons/${personId}?reveal=`)),
      page.click('#reveal-button')
    ]);
    assert.equal(revealed.status(), 200);
    await page.locator('#person-id-number', { hasText: ZHANG_ID }).waitFor();
    assert.equal(await text(page, '#person-id-number'), ZHANG_ID);
    assert.equal(await text(page, '#person-phone'), ZHANG_PHONE);
    await page.locator('#reveal-note').waitFor({ state: 'visible' });
    assert.equal(await text(page, '#reveal-note'), '查看已记录');
    assert.ok(await page.locator('#reveal-button').isHidden());
    const audit = await f.admin.json(`/api/v1/audit?action=person.reveal&object_id=${personId}`);
    assert.equal(audit.status, 200);
    assert.equal(audit.body.items.length, 1, 'one reveal recorded');
    assert.equal(audit.body.items[0].user, f.users.grid_worker.login);

    // Moved out, with a note: the status and its history change.
    await page.selectOption('#status-select', 'moved_out');
    await page.fill('#status-note', '迁往西安市雁塔区');
    await page.click('#status-submit');
    await page.locator('#person-status-pill [data-status="moved_out"]').waitFor();
    assert.equal(await text(page, '#person-status-pill'), '迁出');
    const first = page.locator('#status-history li').first();
    assert.match(await first.innerText(), /迁出/);
    assert.match(await first.innerText(), /迁往西安市雁塔区/);
    assert.equal(await text(page, '#person-id-number'), '110105********002X', 'masked again after reloading');
    await page.locator('#status-ok:not([hidden])').waitFor();

    // Edit: a new phone and one more tag; the ID number stays as it was and
    // still decides sex and birth date.
    await page.click('#person-edit-toggle');
    await page.locator('#person-edit-form').waitFor({ state: 'visible' });
    assert.ok(await page.isDisabled('#edit-person-sex'));
    assert.equal(await page.inputValue('#edit-person-id-number'), '');
    await page.fill('#edit-person-phone', '137-0000-1234');
    await page.check('#edit-person-tags input[value="key_person"]');
    const [patch] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith(`/api/v1/persons/${personId}`) && r.method() === 'PATCH'),
      page.click('#person-edit-save')
    ]);
    const sent = patch.postDataJSON();
    assert.equal(sent.id_number, undefined, 'no identifier unless a new one is typed');
    assert.equal(sent.phone, '137-0000-1234');
    assert.ok(Number.isInteger(sent.version) && Number.isInteger(sent.household_id));
    await page.locator('#person-phone', { hasText: '137****1234' }).waitFor();
    assert.match(await text(page, '#person-tags'), /独居老人[\s\S]*重点人员|重点人员[\s\S]*独居老人/);
    assert.equal(await text(page, '#person-id-number'), '110105********002X');
    assert.equal(await text(page, '#person-household'), '东风小区1号楼1单元101', 'still in the household');
    assert.equal(await text(page, '#person-status-pill'), '迁出');
    await noHorizontalOverflow(page, PHONE.width);
    await allKeysTranslated(page);
    await page.screenshot({ path: `${SHOTS}register-person-phone.png`, fullPage: true });

    // Back on "My grid": the household is listed and the big box finds her
    // by her ID number.
    await page.click('#nav-home');
    await page.locator('#my-grid').waitFor();
    await page.locator('#household-list tr.household-row', { hasText: '东风小区1号楼1单元101' }).waitFor();
    await page.fill('#person-search', ZHANG_ID);
    await page.locator('#person-search-kind[data-kind="id_number"]').waitFor();
    const [search] = await Promise.all([
      page.waitForRequest((r) => r.url().includes('/api/v1/persons?')),
      page.press('#person-search', 'Enter')
    ]);
    assert.equal(new URL(search.url()).searchParams.get('id_number'), ZHANG_ID);
    const found = page.locator('#person-list tr.person-row', { hasText: '张桂英' });
    await found.waitFor();
    assert.match(await found.innerText(), /迁出/);
    // A phone number is searched as a phone, a name as a name prefix.
    await page.fill('#person-search', '139 1234 5678');
    await page.locator('#person-search-kind[data-kind="phone"]').waitFor();
    await page.fill('#person-search', '张');
    await page.locator('#person-search-kind[data-kind="name"]').waitFor();
    await noHorizontalOverflow(page, PHONE.width);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

const HEADER = ['姓名', '身份证号', '联系电话', '住址', '网格', '与户主关系', '标签'];
const people = () => [
  ['王建国', residentId('61010219650315011'), '13991110001', '东风小区3号楼1单元101', f.areas.gridA, '户主', '党员'],
  ['李秀兰', residentId('61010219670822022'), '13991110002', '东风小区3号楼1单元101', f.areas.gridA, '配偶', ''],
  ['王小明', badCheck('61010219920506031'), '13991110003', '东风小区3号楼1单元101', f.areas.gridA, '子女', ''],
  ['赵德福', residentId('61010219440211051'), '13991110004', '东风小区3号楼2单元202', f.areas.gridA, '户主', '独居老人'],
  ['孙丽', residentId('61010219901123062'), '', '东风小区5号楼1单元302', f.areas.gridA, '户主', '']
];

test('staff on a desktop: import an XLSX register, correct it, commit, search', async () => {
  const { context, page, problems, expect } = await openPage(DESKTOP, false);
  try {
    const session = await login(page, f.users.staff);
    assert.equal(session.scope.code, f.areas.communityA);
    await page.locator('#health-badge').waitFor(); // staff keep the shell's home page
    assert.equal(await page.locator('#my-grid').count(), 0);

    await page.click('#nav-import');
    await page.waitForURL(/#\/import$/);
    await page.locator(`#import-area option[value="${f.areas.gridA}"]`).waitFor({ state: 'attached' });
    assert.equal(await page.inputValue('#import-area'), f.areas.communityA, 'the scope root by default');
    assert.ok(await page.isDisabled('#import-commit'));

    // A file with one bad ID number (row 4: the header is row 1).
    const rows = people();
    const bad = xlsx([HEADER, ...rows]);
    await page.setInputFiles('#import-file', { name: '户籍.xlsx', mimeType: XLSX_TYPE, buffer: bad });
    const [dry] = await Promise.all([
      page.waitForRequest((r) => r.url().includes('/api/v1/imports?') && r.method() === 'POST'),
      page.click('#import-check')
    ]);
    const dryUrl = new URL(dry.url());
    assert.equal(dryUrl.searchParams.get('dry_run'), 'true');
    assert.equal(dryUrl.searchParams.get('area'), f.areas.communityA);
    assert.ok(dry.headers()['x-csrf-token'], 'the upload carries the CSRF token');
    assert.equal(dry.headers()['content-type'], XLSX_TYPE);
    await page.locator('#import-preview').waitFor({ state: 'visible' });
    assert.equal(await text(page, '#import-rows'), '5');
    assert.equal(await text(page, '#import-valid'), '4');
    assert.equal(await text(page, '#import-error-count'), '1');
    assert.equal(await text(page, '#import-encoding'), 'Excel (.xlsx)');
    const errors = page.locator('#import-errors tbody tr');
    assert.equal(await errors.count(), 1, 'exactly one error');
    assert.equal(await text(page, '#import-errors tbody tr .err-row'), '4');
    assert.equal(await text(page, '#import-errors tbody tr .err-column'), '身份证号');
    assert.equal(await text(page, '#import-errors tbody tr .err-reason'), '身份证号校验位不正确');
    assert.ok(await page.isDisabled('#import-commit'), 'no commit with errors');
    assert.match(await text(page, '#import-commit-hint'), /1 处错误/);
    // The columns the server recognised.
    const mapping = await page.$$eval('#import-columns tbody tr', (trs) => trs.map((tr) => [tr.cells[0].textContent, tr.getAttribute('data-field')]));
    assert.deepEqual(Object.fromEntries(mapping), {
      姓名: 'name', 身份证号: 'id_number', 联系电话: 'phone', 住址: 'address', 网格: 'grid', 与户主关系: 'relation', 标签: 'tags'
    });
    await allKeysTranslated(page);
    await page.screenshot({ path: `${SHOTS}register-import-errors-desktop.png`, fullPage: true });

    // The corrected file (without the bad row): no errors, then the commit.
    const good = xlsx([HEADER, ...rows.filter((r) => r[0] !== '王小明')]);
    await page.setInputFiles('#import-file', { name: '户籍.xlsx', mimeType: XLSX_TYPE, buffer: good });
    await page.locator('#import-preview').waitFor({ state: 'hidden' });
    await page.click('#import-check');
    await page.locator('#import-error-count', { hasText: '0' }).waitFor();
    assert.equal(await text(page, '#import-rows'), '4');
    assert.equal(await text(page, '#import-valid'), '4');
    assert.ok(await page.locator('#import-errors-box').isHidden());
    assert.ok(await page.isEnabled('#import-commit'));
    const [commit] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/imports?') && r.url().includes('dry_run=false')),
      page.click('#import-commit')
    ]);
    assert.equal(commit.status(), 200);
    await page.locator('#import-result').waitFor({ state: 'visible' });
    assert.equal(await text(page, '#import-created'), '4');
    assert.equal(await text(page, '#import-updated'), '0');
    assert.equal(await text(page, '#import-households'), '3');
    await noHorizontalOverflow(page, DESKTOP.width);
    await allKeysTranslated(page);
    await page.screenshot({ path: `${SHOTS}register-import-done-desktop.png` });

    // The register: counts per grid, the imported households, the search.
    await page.click('#import-to-register');
    await page.waitForURL(/#\/register$/);
    await page.locator('#register-children').waitFor();
    const staff = await f.login('staff');
    const counts = await staff.json(`/api/v1/stats/register?area=${encodeURIComponent(f.areas.gridA)}`);
    assert.equal(counts.status, 200);
    assert.ok(counts.body.households >= 3 && counts.body.persons >= 4, JSON.stringify(counts.body));
    const gridOption = page.locator(`#register-area option[value="${f.areas.gridA}"]`);
    assert.match(await gridOption.innerText(), new RegExp(`（${counts.body.households} 户 · ${counts.body.persons} 人）$`));
    assert.match(await text(page, `#register-children li[data-code="${f.areas.gridA}"]`), new RegExp(`${counts.body.households} 户 · ${counts.body.persons} 人`));
    await page.locator('#household-list tr.household-row', { hasText: '东风小区3号楼1单元101' }).waitFor();
    assert.equal(await page.locator('#household-list tbody tr').first().evaluate((tr) => getComputedStyle(tr).display), 'table-row', 'a table on a desktop');

    await page.fill('#person-search', '赵德');
    await page.press('#person-search', 'Enter');
    const zhao = page.locator('#person-list tr.person-row', { hasText: '赵德福' });
    await zhao.waitFor();
    assert.match(await zhao.innerText(), /独居老人/);
    assert.match(await zhao.innerText(), /610102\*{8}0510/);
    assert.match(await zhao.innerText(), /东风小区3号楼2单元202/);
    await page.fill('#person-search', '13991110001');
    await page.locator('#person-search-kind[data-kind="phone"]').waitFor();
    await page.press('#person-search', 'Enter');
    await page.locator('#person-list tr.person-row', { hasText: '王建国' }).waitFor();
    assert.equal(await page.locator('#person-list tr.person-row').count(), 1);
    assert.equal(await page.locator('#person-list tr.person-row', { hasText: '王小明' }).count(), 0);
    // Export links carry the current filters; the unmasked option adds reveal.
    const csv = new URL(await page.getAttribute('#export-csv', 'href'), srv.url);
    assert.equal(csv.pathname, '/api/v1/persons/export');
    assert.equal(csv.searchParams.get('format'), 'csv');
    assert.equal(csv.searchParams.get('phone'), '13991110001');
    assert.equal(csv.searchParams.get('area'), f.areas.communityA);
    assert.equal(csv.searchParams.get('reveal'), null);
    const masked = await download(page, '#export-csv');
    assert.match(masked, /王建国/);
    assert.match(masked, /610102\*{8}0115/);
    assert.ok(!masked.includes(rows[0][1]) && !masked.includes('李秀兰'), 'masked, and only what the search found');
    await page.check('#export-reveal');
    const xlsxLink = new URL(await page.getAttribute('#export-xlsx', 'href'), srv.url);
    assert.equal(xlsxLink.searchParams.get('format'), 'xlsx');
    assert.equal(xlsxLink.searchParams.get('reveal'), 'true');
    const full = await download(page, '#export-csv');
    assert.ok(full.includes(rows[0][1]), 'the unmasked export has the whole ID number');
    assert.ok(full.includes('13991110001'));
    const exports = await f.admin.json('/api/v1/audit?action=person.export');
    assert.equal(exports.status, 200);
    assert.ok(exports.body.items.length >= 2, 'every export is recorded');
    await page.screenshot({ path: `${SHOTS}register-search-desktop.png`, fullPage: true });

    // A household changed by someone else meanwhile: the save says so.
    await page.locator('#person-list tr.person-row a[href^="#/households/"]').first().click();
    await page.waitForURL(/#\/households\/\d+$/);
    const householdId = page.url().split('/').pop();
    await page.locator('#member-list tr.person-row', { hasText: '王建国' }).waitFor();
    assert.equal(await page.locator('#member-list tr.person-row').count(), 2);
    await page.click('#household-edit');
    await page.fill('#household-edit-address', '东风小区3号楼1单元101室');
    const current = await staff.json(`/api/v1/households/${householdId}`);
    const changed = await staff.json(`/api/v1/households/${householdId}`, {
      method: 'PATCH', body: JSON.stringify({ version: current.body.version, notes: '他人修改' })
    });
    assert.equal(changed.status, 200);
    expect(409, `/api/v1/households/${householdId}`);
    await page.click('#household-edit-save');
    await page.locator('#household-edit-error').waitFor({ state: 'visible' });
    assert.equal(await text(page, '#household-edit-error'), '已被他人修改，请刷新');
    await page.click('#household-edit-reload');
    await page.locator('#household-notes', { hasText: '他人修改' }).waitFor();
    assert.equal(await page.inputValue('#household-edit-address'), '东风小区3号楼1单元101', 'the form shows the fresh household');
    assert.equal(await page.inputValue('#household-edit-notes'), '他人修改');
    await page.fill('#household-edit-address', '东风小区3号楼1单元101室');
    await page.click('#household-edit-save');
    await page.locator('#household-title', { hasText: '101室' }).waitFor();
    await noHorizontalOverflow(page, DESKTOP.width);
    await allKeysTranslated(page);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
