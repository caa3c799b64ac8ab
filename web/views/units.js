// views/units.js — #/units: departments (部门) and units stationed in the
// area (驻区单位) within the caller's scope, with a type filter and, for a
// manager (units.manage), a create form.

import { api, route, newIdempotencyKey } from '../app.js';
import { can, getSession } from '../session.js';
import {
  h, field, input, select, showFormError, clearFormErrors, requireValue, setBusy, flash, pager, withQuery
} from './util.js';

const TYPES = ['department', 'unit'];

function cell(labelKey, ...content) {
  return h('td', { class: `cell cell-${labelKey.split('.').pop()}` },
    h('span', { class: 'cell-label', i18n: labelKey }),
    h('span', { class: 'cell-value' }, ...content));
}

function unitRow(u) {
  return h('tr', { class: 'unit-row', 'data-id': u.id },
    cell('units.col.name', h('strong', { text: u.name })),
    cell('units.col.type', h('span', { class: `tag-type tag-type-${u.type}`, i18n: `unit.type.${u.type}` })),
    cell('units.col.area', u.area
      ? [h('span', { text: u.area.name }), h('span', { class: 'muted small area-code', text: u.area.code })]
      : h('span', { class: 'muted', text: '—' })),
    cell('units.col.users', h('span', { class: 'num', text: String(u.user_count ?? 0) })));
}

function viewUnits(view) {
  const scope = getSession().scope;
  const title = h('h1', { class: 'view-title', id: 'units-title', tabindex: '-1', i18n: 'units.title' });
  const lead = h('p', { class: 'lead', i18n: 'units.lead', vars: { scope: scope ? scope.name : '' } });

  const typeFilter = select('units-type-filter', [['', 'units.filter.type.all'], ...TYPES.map((t) => [t, `unit.type.${t}`])], { i18nAria: 'units.filter.type' });
  const filter = h('form', { class: 'filter-bar', id: 'units-filter', role: 'search', novalidate: true }, typeFilter);

  const head = h('thead', {}, h('tr', {},
    ['name', 'type', 'area', 'users'].map((c) => h('th', { scope: 'col', i18n: `units.col.${c}` }))));
  const rows = h('tbody', { id: 'unit-rows' });
  const table = h('table', { class: 'data-table', id: 'unit-list', 'data-testid': 'unit-list', 'aria-labelledby': 'units-title' }, head, rows);
  const more = h('button', { type: 'button', class: 'btn btn-block-phone', id: 'units-more', i18n: 'common.more', hidden: true });
  const empty = h('p', { class: 'empty', id: 'units-empty', i18n: 'units.empty', hidden: true });
  const listError = h('p', { class: 'form-error', id: 'units-error', role: 'alert', hidden: true });
  const status = h('p', { class: 'loading small', role: 'status', hidden: true });

  const createBox = can('units.manage') ? buildCreateForm(scope, (u) => {
    const row = unitRow(u);
    row.classList.add('is-new');
    p.prepend(row);
  }) : null;

  view.append(h('section', { class: 'view view-units', 'aria-labelledby': 'units-title' },
    title, lead, createBox, filter, h('div', { class: 'table-wrap' }, table), empty, status, listError, more));

  const p = pager({
    list: rows, more, empty, error: listError, status,
    fetchPage: (cursor) => api('GET', withQuery('/api/v1/units', { type: typeFilter.value, cursor })),
    renderItem: unitRow
  });
  p.reload();
  typeFilter.addEventListener('change', () => p.reload());
  filter.addEventListener('submit', (ev) => { ev.preventDefault(); p.reload(); });
  return () => p.destroy();
}

function buildCreateForm(scope, onCreated) {
  const name = input('unit-name', { required: true, maxlength: '100', autocomplete: 'off' });
  const type = select('unit-type', TYPES.map((t) => [t, `unit.type.${t}`]));
  const area = input('unit-area', { required: true, maxlength: '48', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', value: scope ? scope.code : '' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'unit-submit', 'data-testid': 'unit-submit', i18n: 'units.create.submit' });
  const alert = h('p', { class: 'form-error', id: 'unit-form-error', role: 'alert', hidden: true });
  const ok = h('p', { class: 'form-ok', id: 'unit-form-ok', role: 'status', hidden: true });
  const form = h('form', { class: 'form form-grid', id: 'unit-form', 'data-testid': 'unit-form', novalidate: true },
    field('units.field.name', name),
    field('units.field.type', type),
    field('units.field.area', area, { hintKey: 'users.field.area.hint', hintVars: { code: scope ? scope.code : '' } }),
    h('div', { class: 'form-wide' }, alert, ok, submit));
  const box = h('details', { class: 'card create-box', id: 'unit-create', 'data-testid': 'unit-create' },
    h('summary', { class: 'create-summary', id: 'unit-create-toggle', i18n: 'units.create.title' }), form);

  let key = null;
  let last = '';
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (submit.disabled) return;
    clearFormErrors(form);
    ok.hidden = true;
    const missing = [name, area].filter((c) => requireValue(c));
    if (missing.length) { missing[0].focus(); return; }
    const body = { name: name.value.trim(), type: type.value, area_code: area.value.trim() };
    const sig = JSON.stringify(body);
    if (sig !== last) { key = newIdempotencyKey(); last = sig; }
    setBusy(submit, true, 'common.saving', 'units.create.submit');
    try {
      const u = await api('POST', '/api/v1/units', body, { idempotencyKey: key });
      last = '';
      onCreated(u);
      flash(ok, 'units.create.done', { name: u.name });
      name.value = '';
      name.focus();
    } catch (err) {
      showFormError(err, { name, type, area_code: area }, alert, 'units');
    } finally {
      setBusy(submit, false, 'common.saving', 'units.create.submit');
    }
  });
  return box;
}

route('/units', viewUnits, { nav: 'units', title: 'units.title', perm: 'units.read' });
