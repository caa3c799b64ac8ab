// views/import.js — #/import: the import wizard. 1: choose a CSV or XLSX
// file and the default area; 2: a dry run shows what the server read (rows,
// the columns it recognised) and every error by row; 3: the commit, allowed
// only for a file without errors, and its counts. The file goes up as the
// raw request body (POST /api/v1/imports), not as a form.

import { ApiError, CSRF_KEY, sessionGet, newIdempotencyKey, route, showError, clearError } from '../app.js';
import { has } from '../i18n.js';
import { getSession } from '../session.js';
import { h, tr, field, select, setBusy, withQuery } from './util.js';
import { areaSelect, forgetStats } from './reg.js';

const MAX_BYTES = 64 * 1024 * 1024; // the server's limit for this route
const FIELDS = ['name', 'sex', 'birth_date', 'id_type', 'id_number', 'phone', 'address', 'grid', 'relation', 'tags', 'status', 'notes', 'ignore'];

// POST the file as it is. Answers the Report; a commit refused for errors
// (422 with error.report) answers that report with refused: true.
async function upload(file, area, dryRun) {
  const headers = {
    Accept: 'application/json',
    'Content-Type': file.type || 'application/octet-stream',
    'Idempotency-Key': newIdempotencyKey()
  };
  const csrf = sessionGet(CSRF_KEY);
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const ctl = new AbortController();
  const timer = window.setTimeout(() => ctl.abort(), 180000); // a town's register takes a while
  let res;
  let text;
  try {
    res = await window.fetch(withQuery('/api/v1/imports', { dry_run: dryRun ? 'true' : 'false', area }), {
      method: 'POST', headers, body: file, credentials: 'same-origin', cache: 'no-store', signal: ctl.signal
    });
    text = await res.text();
  } catch {
    throw new ApiError(ctl.signal.aborted ? 'timeout' : 'network', 0, 'Upload failed');
  } finally {
    window.clearTimeout(timer);
  }
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    /* below */
  }
  if (res.ok) {
    if (!data || typeof data !== 'object') throw new ApiError('bad_response', res.status, 'Answer is not JSON');
    return data;
  }
  if (res.status === 401) document.dispatchEvent(new CustomEvent('wg:unauthorized', { detail: { path: '/api/v1/imports' } }));
  const env = data && typeof data === 'object' ? data.error : null;
  if (env && env.report && typeof env.report === 'object') return { ...env.report, refused: true };
  if (env && typeof env.code === 'string') throw new ApiError(env.code, res.status, env.message || env.code, env.field ?? null);
  throw new ApiError('http_error', res.status, `HTTP ${res.status}`);
}

// The server explains an error row in English; the known reasons are
// shown in the page's language, any other as the server wrote it.
const REASONS = [
  [/^The name is missing$/, 'name_missing'],
  [/^A name has 1 to 50 characters$/, 'name_length'],
  [/^Sex is 男 or 女$|^sex is M or F$/, 'sex'],
  [/^birth_date is a past date/, 'birth_date'],
  [/^Unknown ID document type$/, 'id_type'],
  [/^must be 18 characters$/, 'id_length'],
  [/^must be 17 digits followed by a digit or X$/, 'id_characters'],
  [/^region code is not plausible$/, 'id_region'],
  [/^birth date is not a valid date$/, 'id_date'],
  [/^birth date is in the future$/, 'id_future'],
  [/^check digit does not match$/, 'id_check'],
  [/^sex does not agree with the ID number$/, 'id_sex'],
  [/^birth_date does not agree with the ID number$/, 'id_birth'],
  [/^Not a mainland mobile or landline number$/, 'phone'],
  [/^Unknown relation/, 'relation'],
  [/^Status is /, 'status'],
  [/^The same ID number as row (\d+)$/, 'id_duplicate'],
  [/^No such grid in your area$/, 'grid_missing'],
  [/^Two areas have this name/, 'grid_ambiguous'],
  [/^No grid column and no default area$/, 'no_area'],
  [/^The address is too long$/, 'address_long'],
  [/^Unknown tag$/, 'tag'],
  [/^No column is the name/, 'no_name_column'],
  [/^The default area is not in your scope$/, 'default_area'],
  [/^A person with this ID number is registered already$/, 'id_taken']
];

function reasonNode(reason) {
  const text = String(reason || '');
  for (const [re, key] of REASONS) {
    const m = re.exec(text);
    if (m && has(`import.reason.${key}`)) {
      return h('span', { class: 'reason', title: text, i18n: `import.reason.${key}`, vars: { row: m[1] || '' } });
    }
  }
  return h('span', { class: 'reason', text });
}

const ENCODINGS = { 'utf-8': 'UTF-8', gb18030: 'GB18030 (GBK)', 'utf-16': 'UTF-16', xlsx: 'Excel (.xlsx)' };

function fieldLabel(f) {
  return FIELDS.includes(f) ? h('span', { class: `map-field map-${f}`, i18n: `import.field.${f}` }) : h('span', { text: f });
}

function viewImport(view) {
  const scope = getSession().scope;
  let alive = true;
  let checked = null; // { file, area } the preview is about
  forgetStats();

  const title = h('h1', { class: 'view-title', id: 'import-title', tabindex: '-1', i18n: 'import.title' });
  const lead = h('p', { class: 'lead', i18n: 'import.lead', vars: { scope: scope ? scope.name : '' } });
  const stepItems = ['choose', 'check', 'commit'].map((s, i) => h('li', { class: 'step', 'data-step': s },
    h('span', { class: 'step-num', 'aria-hidden': 'true', text: String(i + 1) }), h('span', { i18n: `import.step.${s}` })));
  const steps = h('ol', { class: 'steps', id: 'import-steps', i18nAria: 'import.steps' }, stepItems);
  const setStep = (n) => stepItems.forEach((li, i) => {
    li.classList.toggle('is-done', i < n);
    if (i === n) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  });

  // Step 1
  const file = h('input', {
    type: 'file', id: 'import-file', name: 'import-file', 'data-testid': 'import-file',
    accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'aria-describedby': 'import-file-hint'
  });
  const fileName = h('p', { class: 'file-name', id: 'import-file-name', hidden: true });
  const areaSel = select('import-area', []);
  const areas = areaSelect(areaSel, { rootKey: 'reg.area.option', childKey: 'reg.area.option' });
  const check = h('button', { type: 'submit', class: 'btn btn-primary', id: 'import-check', 'data-testid': 'import-check', i18n: 'import.check' });
  const error = h('p', { class: 'form-error', id: 'import-error', role: 'alert', hidden: true });
  const errorDetail = h('p', { class: 'muted small', id: 'import-error-detail', hidden: true });
  const form = h('form', { class: 'form card import-step', id: 'import-form', 'data-testid': 'import-form', novalidate: true, 'aria-labelledby': 'import-choose-title' },
    h('h2', { class: 'card-title', id: 'import-choose-title', i18n: 'import.choose.title' }),
    h('div', { class: 'field' },
      h('label', { for: 'import-file', i18n: 'import.file' }),
      file,
      h('p', { class: 'field-hint', id: 'import-file-hint', i18n: 'import.file.hint' }),
      fileName),
    field('import.area', areaSel, { hintKey: 'import.area.hint' }),
    h('details', { class: 'import-help' },
      h('summary', { i18n: 'import.help.title' }),
      h('p', { class: 'small', i18n: 'import.help.headers' }),
      h('p', { class: 'small', i18n: 'import.help.households' })),
    error, errorDetail,
    h('div', { class: 'form-actions' }, check));

  // Step 2
  const summary = h('dl', { class: 'facts import-summary', id: 'import-summary', 'data-testid': 'import-summary' });
  const columns = h('tbody', { id: 'import-column-rows' });
  const columnsTable = h('table', { class: 'plain-table', id: 'import-columns' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', i18n: 'import.col.header' }), h('th', { scope: 'col', i18n: 'import.col.field' }))), columns);
  const errRows = h('tbody', { id: 'import-error-rows' });
  const errorsTable = h('table', { class: 'plain-table errors-table', id: 'import-errors', 'data-testid': 'import-errors', 'aria-labelledby': 'import-errors-title' },
    h('thead', {}, h('tr', {},
      ['row', 'column', 'reason'].map((c) => h('th', { scope: 'col', i18n: `import.errcol.${c}` })))), errRows);
  const errorsBox = h('div', { class: 'import-errors-box', id: 'import-errors-box', hidden: true },
    h('h3', { class: 'sub-title', id: 'import-errors-title', i18n: 'import.errors.title' }),
    h('div', { class: 'scroll-x' }, errorsTable),
    h('p', { class: 'muted small', id: 'import-errors-more', hidden: true }));
  const noErrors = h('p', { class: 'form-ok', id: 'import-ok', hidden: true, i18n: 'import.noerrors' });
  const commit = h('button', { type: 'button', class: 'btn btn-primary', id: 'import-commit', 'data-testid': 'import-commit', i18n: 'import.commit', disabled: true, 'aria-describedby': 'import-commit-hint' });
  const commitHint = h('p', { class: 'field-hint', id: 'import-commit-hint', role: 'status' });
  const commitError = h('p', { class: 'form-error', id: 'import-commit-error', role: 'alert', hidden: true });
  const preview = h('section', { class: 'card import-step', id: 'import-preview', 'data-testid': 'import-preview', hidden: true, 'aria-labelledby': 'import-preview-title' },
    h('h2', { class: 'card-title', id: 'import-preview-title', i18n: 'import.preview.title' }),
    summary,
    h('details', { class: 'import-columns-box', id: 'import-columns-box', open: true },
      h('summary', { i18n: 'import.columns.title' }), h('div', { class: 'scroll-x' }, columnsTable)),
    noErrors, errorsBox, commitError,
    h('div', { class: 'form-actions commit-actions' }, commit), commitHint);

  // Step 3
  const result = h('section', { class: 'card import-step import-result', id: 'import-result', 'data-testid': 'import-result', hidden: true, role: 'status', 'aria-labelledby': 'import-result-title' });

  view.append(h('section', { class: 'view view-import', 'aria-labelledby': 'import-title' },
    title, lead, steps, form, preview, result));
  setStep(0);

  areas.ready.catch((err) => { if (alive) showError(error, err); });
  areaSel.addEventListener('change', () => { areas.expand(areaSel.value); reset(); });

  function reset() {
    checked = null;
    preview.hidden = true;
    result.hidden = true;
    commit.disabled = true;
    clearError(commitError);
    setStep(0);
  }

  file.addEventListener('change', () => {
    reset();
    clearError(error);
    errorDetail.hidden = true;
    const f = file.files && file.files[0];
    fileName.hidden = !f;
    if (f) {
      fileName.setAttribute('data-i18n', 'import.file.chosen');
      fileName.setAttribute('data-i18n-vars', JSON.stringify({ name: f.name, size: Math.max(1, Math.round(f.size / 1024)) }));
      tr(fileName);
    }
  });

  const fail = (err, ctx) => {
    showError(error, err, ctx);
    errorDetail.hidden = !(err && err.field === 'file' && err.message);
    errorDetail.textContent = err && err.message ? err.message : '';
  };

  function showReport(report) {
    const n = (v) => Number(v) || 0;
    const errorCount = n(report.error_count ?? (Array.isArray(report.errors) ? report.errors.length : 0));
    const errs = Array.isArray(report.errors) ? report.errors : [];
    const item = (key, id, v) => [h('dt', { i18n: key }), h('dd', { id, class: 'num', text: String(v) })];
    const would = n(report.created) + n(report.updated) > 0;
    summary.replaceChildren(
      ...item('import.sum.rows', 'import-rows', n(report.rows)),
      ...item('import.sum.valid', 'import-valid', n(report.valid)),
      ...item('import.sum.errors', 'import-error-count', errorCount),
      ...(would ? [...item('import.sum.create', 'import-would-create', n(report.created)),
        ...item('import.sum.update', 'import-would-update', n(report.updated))] : []),
      ...(n(report.households_created) ? item('import.sum.households', 'import-would-households', n(report.households_created)) : []),
      h('dt', { i18n: 'import.sum.encoding' }), h('dd', { id: 'import-encoding', text: ENCODINGS[report.encoding] || report.encoding || '—' }));
    const cols = report.columns && typeof report.columns === 'object' ? Object.entries(report.columns) : [];
    columns.replaceChildren(...cols.map(([header, f]) => h('tr', { 'data-field': f, class: f === 'ignore' ? 'is-ignored' : null },
      h('td', { text: header }), h('td', {}, fieldLabel(f)))));
    errRows.replaceChildren(...errs.map((e) => h('tr', { class: 'import-error', 'data-row': e.row },
      h('td', { class: 'num err-row', text: String(e.row ?? '') }),
      h('td', { class: 'err-column', text: e.column || '—' }),
      h('td', { class: 'err-reason' }, reasonNode(e.reason)))));
    errorsBox.hidden = errorCount === 0;
    noErrors.hidden = errorCount > 0 || n(report.valid) === 0;
    const more = errorsBox.querySelector('#import-errors-more');
    more.hidden = errs.length >= errorCount;
    if (!more.hidden) {
      more.setAttribute('data-i18n', 'import.errors.more');
      more.setAttribute('data-i18n-vars', JSON.stringify({ shown: errs.length, n: errorCount }));
    }
    commit.disabled = errorCount > 0 || n(report.valid) === 0;
    commitHint.setAttribute('data-i18n', errorCount > 0 ? 'import.commit.blocked' : n(report.valid) === 0 ? 'import.commit.empty' : 'import.commit.ready');
    commitHint.setAttribute('data-i18n-vars', JSON.stringify({ n: errorCount, valid: n(report.valid) }));
    summary.querySelector('#import-error-count').classList.toggle('has-errors', errorCount > 0);
    preview.hidden = false;
    tr(preview);
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (check.disabled) return;
    clearError(error);
    errorDetail.hidden = true;
    const f = file.files && file.files[0];
    if (!f) { fail('import.nofile'); file.focus(); return; }
    if (f.size > MAX_BYTES) { fail('import.toolarge'); return; }
    if (!f.size) { fail('import.emptyfile'); return; }
    reset();
    const area = areaSel.value;
    setBusy(check, true, 'import.checking', 'import.check');
    try {
      const report = await upload(f, area, true);
      if (!alive) return;
      checked = { file: f, area };
      showReport(report);
      setStep(1);
      preview.querySelector('#import-preview-title').setAttribute('tabindex', '-1');
      preview.querySelector('#import-preview-title').focus();
    } catch (err) {
      if (alive) fail(err, 'import');
    } finally {
      setBusy(check, false, 'import.checking', 'import.check');
    }
  });

  commit.addEventListener('click', async () => {
    if (!checked || commit.disabled) return;
    clearError(commitError);
    setBusy(commit, true, 'import.committing', 'import.commit');
    let ok = false;
    try {
      const report = await upload(checked.file, checked.area, false);
      if (!alive) return;
      if (report.refused || report.committed === false) {
        showReport(report);
        showError(commitError, 'import.refused');
        return;
      }
      ok = true;
      forgetStats();
      showResult(report);
    } catch (err) {
      if (alive) showError(commitError, err, 'import');
    } finally {
      if (alive) {
        setBusy(commit, false, 'import.committing', 'import.commit');
        if (ok) commit.disabled = true;
      }
    }
  });

  function showResult(report) {
    const n = (v) => Number(v) || 0;
    const again = h('button', { type: 'button', class: 'btn', id: 'import-again', i18n: 'import.again' });
    again.addEventListener('click', () => {
      file.value = '';
      fileName.hidden = true;
      reset();
      file.focus();
    });
    result.replaceChildren(
      h('h2', { class: 'card-title', id: 'import-result-title', tabindex: '-1', i18n: 'import.result.title' }),
      h('dl', { class: 'facts' },
        h('dt', { i18n: 'import.res.created' }), h('dd', { class: 'num', id: 'import-created', text: String(n(report.created)) }),
        h('dt', { i18n: 'import.res.updated' }), h('dd', { class: 'num', id: 'import-updated', text: String(n(report.updated)) }),
        h('dt', { i18n: 'import.res.households' }), h('dd', { class: 'num', id: 'import-households', text: String(n(report.households_created)) })),
      h('div', { class: 'form-actions' },
        h('a', { class: 'btn btn-primary', id: 'import-to-register', 'data-testid': 'import-to-register', href: '#/register', i18n: 'import.to.register' }),
        again));
    result.hidden = false;
    preview.hidden = true;
    setStep(3);
    tr(result);
    result.querySelector('#import-result-title').focus();
  }

  return () => { alive = false; };
}

route('/import', viewImport, { nav: 'import', title: 'import.title', perm: 'register.write' });
