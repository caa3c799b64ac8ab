// views/report.js — reporting a case.
//   #/report?area=<code>  a resident's phone form, no account: what a QR
//                         poster in a grid links to (the place is named
//                         from the code); without a code it asks for one.
//   #/cases/new           a signed-in reporter: a grid worker in their grid
//                         (a building below it optional, urgent toggle);
//                         staff record a hotline call or a window visit.
// Both: category tiles, text, photos, address and an optional location.

import { api, route, newIdempotencyKey } from '../app.js';
import { getSession } from '../session.js';
import { defineMessage } from '../i18n.js';
import {
  h, tr, field, input, select, setOptions, showFormError, clearFormErrors, requireValue, setBusy, withQuery
} from './util.js';
import { loadCategories, leafCategories, photoPicker, caseHref, refreshCounts } from './casekit.js';

const STAFF_ROLES = ['admin', 'commander', 'staff'];

// Big tappable tiles, one radio button each.
function categoryTiles(onPick) {
  const box = h('div', { class: 'cat-tiles', id: 'report-category', tabindex: '-1' },
    h('p', { class: 'loading small', role: 'status' }, h('span', { i18n: 'common.loading' })));
  const err = h('p', { class: 'field-error', id: 'report-category-error', role: 'alert', hidden: true });
  const el = h('fieldset', { class: 'field cat-field' }, h('legend', { i18n: 'case.field.category' }), box, err);
  let cats = [];
  const ready = loadCategories().then((items) => {
    cats = leafCategories(items);
    box.replaceChildren(...cats.map((c) => h('div', { class: 'cat-tile' },
      h('input', { type: 'radio', name: 'report-category', id: `cat-${c.code}`, value: c.code, class: 'cat-radio',
        on: { change: () => onPick && onPick(c) } }),
      h('label', { for: `cat-${c.code}`, class: 'cat-label', 'data-testid': `cat-${c.code}` },
        h('span', { class: 'cat-name', i18n: `cat.${c.code}` }),
        c.parent_code ? h('span', { class: 'cat-parent', i18n: `cat.${c.parent_code}` }) : null))));
    if (!cats.length) box.replaceChildren(h('p', { class: 'muted', i18n: 'case.categories.none' }));
    tr(box);
  }).catch(() => {
    box.replaceChildren(tr(h('p', { class: 'form-error', id: 'report-categories-failed', i18n: 'case.categories.failed' })));
  });
  return {
    el, ready, box,
    value: () => (box.querySelector('input:checked') || {}).value || '',
    category: (code) => cats.find((c) => c.code === code) || null,
    // For showFormError: the box stands in for the radio group.
    control: box
  };
}

// The category's extra questions (its `fields`), asked once it is picked.
// Answers go out as `attributes`; required ones are checked here first.
function questionsBox() {
  const box = h('div', { class: 'cat-questions', id: 'report-questions' });
  let asked = [];
  function show(cat) {
    asked = [];
    const parts = [];
    for (const f of (cat && cat.fields) || []) {
      const key = `catq.${cat.code}.${f.code}`;
      defineMessage(key, f.name_zh || f.code, f.name_en || f.name_zh || f.code);
      const id = `q-${f.code}`;
      const values = Array.isArray(f.values) ? f.values : [];
      let control;
      let read;
      if (f.type === 'singlevaluelist') {
        control = select(id, [['', 'case.question.choose'], ...values.map((v) => [v.key, null, v.name || v.key])]);
        read = () => control.value || null;
      } else if (f.type === 'multivaluelist') {
        control = h('div', { class: 'check-list', id, tabindex: '-1' }, values.map((v) => h('label', { class: 'check-item' },
          h('input', { type: 'checkbox', value: v.key, name: id }), h('span', { text: v.name || v.key }))));
        read = () => { const k = [...control.querySelectorAll('input:checked')].map((x) => x.value); return k.length ? k : null; };
      } else if (f.type === 'text') {
        control = h('textarea', { id, rows: '2', maxlength: '2000' });
        read = () => control.value.trim() || null;
      } else {
        control = input(id, { type: f.type === 'number' ? 'number' : f.type === 'datetime' ? 'datetime-local' : 'text', maxlength: '200' });
        read = () => (control.value.trim() === '' ? null : f.type === 'number' ? Number(control.value) : control.value.trim());
      }
      asked.push({ f, control, read });
      parts.push(field(key, control, { optional: !f.required }));
    }
    box.replaceChildren(...parts);
    tr(box);
  }
  return {
    el: box, show,
    // {code: answer} of what was answered, or the control of the first
    // required question left empty.
    answers() {
      const out = {};
      for (const q of asked) {
        const v = q.read();
        if (v === null && q.f.required) return { missing: q.control };
        if (v !== null) out[q.f.code] = v;
      }
      return { attributes: out };
    },
  };
}

// "Use my location": never required; a refusal only says so.
function locationField() {
  let loc = null;
  const status = h('span', { class: 'muted small', id: 'report-location-status', role: 'status' });
  const btn = h('button', { type: 'button', class: 'btn btn-small', id: 'report-locate', i18n: 'case.location.use' });
  const clear = h('button', { type: 'button', class: 'btn btn-small', id: 'report-locate-clear', i18n: 'case.location.clear', hidden: true });
  const say = (key, vars) => {
    status.setAttribute('data-i18n', key);
    status.setAttribute('data-i18n-vars', JSON.stringify(vars || {}));
    tr(status);
  };
  btn.addEventListener('click', () => {
    if (!navigator.geolocation) { say('case.location.unsupported'); return; }
    say('case.location.finding');
    btn.disabled = true;
    navigator.geolocation.getCurrentPosition((pos) => {
      btn.disabled = false;
      loc = { lat: Math.round(pos.coords.latitude * 1e6) / 1e6, lon: Math.round(pos.coords.longitude * 1e6) / 1e6 };
      say('case.location.found', { lat: loc.lat.toFixed(5), lon: loc.lon.toFixed(5) });
      clear.hidden = false;
    }, () => {
      btn.disabled = false;
      say('case.location.denied');
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
  clear.addEventListener('click', () => { loc = null; clear.hidden = true; say('case.location.none'); });
  const el = h('div', { class: 'field location-field' },
    h('span', { class: 'field-label' }, h('span', { i18n: 'case.field.location' }), h('span', { class: 'field-optional', i18n: 'common.optional' })),
    h('div', { class: 'location-row' }, btn, clear, status));
  return { el, value: () => loc };
}

// The form shared by both routes. mode: 'public' | 'grid' | 'staff'.
function buildReportForm(mode, { areaCode = '', onDone }) {
  const questions = questionsBox();
  const cats = categoryTiles((c) => questions.show(c));
  const desc = h('textarea', { id: 'report-description', name: 'description', 'data-testid': 'report-description', rows: '4', maxlength: '2000', required: true, i18nPh: 'case.field.description.ph' });
  const address = input('report-address', { maxlength: '200', autocomplete: 'street-address', i18nPh: 'case.field.address.ph' });
  const photos = photoPicker('report-photos');
  const loc = locationField();
  const fields = { category: cats.control, description: desc, address, photos: photos.el.querySelector('input'), location: loc.el };
  const parts = [cats.el, questions.el, field('case.field.description', desc), photos.el, field('case.field.address', address, { optional: true }), loc.el];

  let phone = null;
  let name = null;
  let areaSel = null;
  let urgent = null;
  let source = null;
  let notes = null;
  let answer = null;
  if (mode === 'public' || mode === 'staff') {
    phone = input('report-phone', { type: 'tel', inputmode: 'tel', maxlength: '24', autocomplete: 'tel', required: mode === 'public' });
    name = input('report-name', { maxlength: '40', autocomplete: 'name' });
    fields.reporter_phone = phone;
    fields.reporter_name = name;
    parts.push(field('case.field.phone', phone, { hintKey: mode === 'public' ? 'case.field.phone.hint' : null, optional: mode !== 'public' }),
      field('case.field.name', name, { optional: true }));
  }
  if (mode === 'grid' || mode === 'staff') {
    areaSel = select('report-area', areaCode ? [[areaCode, null, getSession().scope ? getSession().scope.name : areaCode]] : []);
    fields.area_code = areaSel;
    parts.splice(2, 0, field('case.field.area', areaSel, { hintKey: 'case.field.area.hint' }));
    urgent = h('input', { type: 'checkbox', id: 'report-urgent', 'data-testid': 'report-urgent', class: 'switch' });
    fields.urgent = urgent;
    parts.push(h('label', { class: 'switch-row', for: 'report-urgent' }, urgent, h('span', { i18n: 'case.field.urgent' }),
      h('span', { class: 'muted small', i18n: 'case.field.urgent.hint' })));
    fillAreas(areaSel, areaCode);
  }
  if (mode === 'staff') {
    source = select('report-source', [['hotline', 'case.source.hotline'], ['window', 'case.source.window']]);
    notes = h('textarea', { id: 'report-notes', rows: '2', maxlength: '2000' });
    answer = h('textarea', { id: 'report-answer', rows: '2', maxlength: '2000' });
    fields.source = source;
    fields.call_notes = notes;
    fields.direct_answer = answer;
    parts.unshift(field('case.field.source', source));
    parts.push(field('case.field.call_notes', notes, { optional: true }),
      field('case.field.direct_answer', answer, { optional: true, hintKey: 'case.field.direct_answer.hint' }));
  }

  const alert = h('p', { class: 'form-error', id: 'report-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', id: 'report-submit', 'data-testid': 'report-submit', i18n: 'case.report.submit' });
  const form = h('form', { class: 'form report-form', id: 'report-form', 'data-testid': 'report-form', novalidate: true },
    ...parts, alert, submit);

  let key = null;
  let last = '';
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (submit.disabled) return;
    clearFormErrors(form);
    let missing = null;
    if (!cats.value()) {
      const line = document.getElementById('report-category-error');
      line.setAttribute('data-i18n', 'case.field.category.missing');
      tr(line);
      line.hidden = false;
      missing = cats.box;
    }
    const answered = questions.answers();
    if (answered.missing && !missing) {
      const line = document.getElementById(`${answered.missing.id}-error`);
      line.setAttribute('data-i18n', 'case.question.required');
      tr(line);
      line.hidden = false;
      missing = answered.missing;
    }
    if (requireValue(desc) && !missing) missing = desc;
    if (phone && mode === 'public' && requireValue(phone) && !missing) missing = phone;
    if (missing) { missing.focus(); return; }
    if (photos.busy()) {
      setBusy(submit, true, 'case.photos.waiting', 'case.report.submit');
      await photos.settled();
    }
    const body = { category: cats.value(), description: desc.value.trim() };
    const put = (k, v) => { if (v !== null && v !== undefined && v !== '') body[k] = v; };
    if (mode === 'public') put('area_code', areaCode);
    if (areaSel) put('area_code', areaSel.value);
    put('address', address.value.trim());
    put('location', loc.value());
    if (phone) put('reporter_phone', phone.value.trim());
    if (name) put('reporter_name', name.value.trim());
    if (urgent && urgent.checked) body.urgent = true;
    if (source) put('source', source.value);
    if (notes) put('call_notes', notes.value.trim());
    if (answer) put('direct_answer', answer.value.trim());
    if (answered.attributes && Object.keys(answered.attributes).length) body.attributes = answered.attributes;
    const shas = photos.shas();
    if (shas.length) body.photos = shas;
    const sig = JSON.stringify(body);
    if (sig !== last) { key = newIdempotencyKey(); last = sig; }
    setBusy(submit, true, 'case.report.submitting', 'case.report.submit');
    try {
      const path = mode === 'public' ? '/api/v1/public/cases' : '/api/v1/cases';
      const r = await api('POST', path, body, { idempotencyKey: key });
      last = '';
      onDone(r);
    } catch (err) {
      showFormError(err, fields, alert, 'case.report');
    } finally {
      setBusy(submit, false, 'case.report.submitting', 'case.report.submit');
    }
  });
  return { form, cats };
}

// The scope itself and the areas one level below it (a grid's buildings,
// a community's grids).
async function fillAreas(sel, scopeCode) {
  if (!scopeCode) return;
  try {
    const d = await api('GET', withQuery('/api/v1/areas', { parent: scopeCode, limit: 200 }));
    const items = d && Array.isArray(d.items) ? d.items : [];
    const scope = getSession().scope;
    setOptions(sel, [[scopeCode, null, scope ? scope.name : scopeCode], ...items.map((a) => [a.code, null, `— ${a.name}`])]);
  } catch {
    /* the scope alone still works */
  }
}

/* ------------------------------------------------------------------ */
/* #/report (no account)                                                */

function followBox(r) {
  const url = `${window.location.origin}/${String(r.follow_url || `#/follow/${r.follow_code}`).replace(/^\//, '')}`;
  const link = h('a', { class: 'follow-link', id: 'report-follow-link', 'data-testid': 'report-follow-link', href: url, text: url });
  const copied = h('span', { class: 'form-ok small', id: 'report-copied', role: 'status', hidden: true });
  const copy = h('button', { type: 'button', class: 'btn btn-primary', id: 'report-copy', i18n: 'case.follow.copy' });
  copy.addEventListener('click', async () => {
    let ok = false;
    try {
      await navigator.clipboard.writeText(url);
      ok = true;
    } catch {
      // No clipboard (plain http, old browser): select the link's text.
      const range = document.createRange();
      range.selectNodeContents(link);
      const s = window.getSelection();
      s.removeAllRanges();
      s.addRange(range);
    }
    copied.setAttribute('data-i18n', ok ? 'case.follow.copied' : 'case.follow.select');
    tr(copied);
    copied.hidden = false;
  });
  return h('div', { class: 'card report-done', id: 'report-done', 'data-testid': 'report-done', 'data-case-id': r.id, tabindex: '-1' },
    h('h2', { class: 'section-title', i18n: 'case.report.done.title' }),
    h('p', { i18n: 'case.report.done.lead', vars: { id: r.id } }),
    h('div', { class: 'follow-box' }, link, h('div', { class: 'follow-actions' }, copy, copied)),
    h('p', { class: 'muted small', i18n: 'case.report.done.keep' }),
    h('p', {}, h('a', { class: 'btn', href: `#/follow/${encodeURIComponent(r.follow_code)}`, id: 'report-open-follow', i18n: 'case.follow.open' })));
}

function areaEntry(view) {
  const code = input('report-area-code', { required: true, maxlength: '48', autocapitalize: 'none', spellcheck: 'false', inputmode: 'text' });
  const alert = h('p', { class: 'form-error', id: 'report-area-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'form card', id: 'report-area-form', novalidate: true },
    field('case.report.area.code', code, { hintKey: 'case.report.area.code.hint' }), alert,
    h('button', { type: 'submit', class: 'btn btn-primary btn-block', id: 'report-area-go', i18n: 'case.report.area.go' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (requireValue(code)) { code.focus(); return; }
    window.location.hash = `#/report?area=${encodeURIComponent(code.value.trim())}`;
  });
  view.append(h('section', { class: 'view view-report', 'aria-labelledby': 'report-title' },
    h('h1', { class: 'view-title', id: 'report-title', tabindex: '-1', i18n: 'case.report.title' }),
    h('p', { class: 'lead', i18n: 'case.report.area.lead' }), form));
}

function viewPublicReport(view, params, query) {
  const areaCode = (query.get('area') || '').trim();
  if (!areaCode) { areaEntry(view); return undefined; }
  let alive = true;
  const place = h('p', { class: 'report-place', id: 'report-place', 'data-testid': 'report-place' },
    h('span', { class: 'muted small', i18n: 'common.loading' }));
  const section = h('section', { class: 'view view-report', 'aria-labelledby': 'report-title' },
    h('h1', { class: 'view-title', id: 'report-title', tabindex: '-1', i18n: 'case.report.title' }), place);
  view.append(section);
  api('GET', `/api/v1/public/areas/${encodeURIComponent(areaCode)}`).then((a) => {
    if (!alive) return;
    place.replaceChildren(tr(h('span', { i18n: 'case.report.place', vars: { name: a.name, parent: a.parent_name || '' } })));
    const { form } = buildReportForm('public', {
      areaCode,
      onDone: (r) => {
        form.replaceWith(tr(followBox(r)));
        const box = document.getElementById('report-done');
        box.focus();
        box.scrollIntoView({ block: 'start' });
      }
    });
    section.append(tr(h('p', { class: 'lead', i18n: 'case.report.lead' })), tr(form));
  }).catch((err) => {
    if (!alive) return;
    place.replaceChildren(tr(h('span', { class: 'form-error', id: 'report-place-missing', i18n: err.status === 404 ? 'case.report.area.unknown' : 'err.network' })));
    section.append(tr(h('a', { class: 'btn', href: '#/report', i18n: 'case.report.area.other' })));
  });
  return () => { alive = false; };
}

/* ------------------------------------------------------------------ */
/* #/cases/new (signed in)                                              */

function viewNewCase(view) {
  const s = getSession();
  const role = s.user ? s.user.role : '';
  const mode = STAFF_ROLES.includes(role) ? 'staff' : role === 'grid_worker' ? 'grid' : 'resident';
  const section = h('section', { class: 'view view-report', 'aria-labelledby': 'report-title' },
    h('h1', { class: 'view-title', id: 'report-title', tabindex: '-1', i18n: mode === 'grid' ? 'case.new.title.grid' : mode === 'staff' ? 'case.new.title.staff' : 'case.report.title' }),
    h('p', { class: 'lead', i18n: mode === 'staff' ? 'case.new.lead.staff' : 'case.new.lead', vars: { scope: s.scope ? s.scope.name : '' } }));
  const { form } = buildReportForm(mode === 'resident' ? 'resident' : mode, {
    areaCode: s.scope ? s.scope.code : '',
    // Staff usually dispatch next: the case. A reporter follows it among
    // their reports.
    onDone: (r) => {
      refreshCounts();
      window.location.hash = mode === 'staff' ? `${caseHref(r.id)}?created=1` : `#/cases?inbox=mine&created=${encodeURIComponent(r.id)}`;
    }
  });
  section.append(form);
  view.append(section);
}

route('/report', viewPublicReport, { nav: null, title: 'case.report.title' });
// Before /cases/:id (views/case.js), which would otherwise take "new".
route('/cases/new', viewNewCase, { nav: 'cases', title: 'case.new.title', perm: 'cases.submit' });
