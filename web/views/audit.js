// views/audit.js — #/audit: the audit log within the caller's scope, newest
// first, filtered by user, action, object type and a time span. Times are
// shown and entered in Beijing time (Asia/Shanghai) and sent in UTC.

import { api, route, showError } from '../app.js';
import { getSession } from '../session.js';
import { h, field, input, pager, withQuery, formatTime, localToUtc, clearFormErrors, roleLabel } from './util.js';

function cell(labelKey, ...content) {
  return h('td', { class: `cell cell-${labelKey.split('.').pop()}` },
    h('span', { class: 'cell-label', i18n: labelKey }),
    h('span', { class: 'cell-value' }, ...content));
}

// The actor: a login (as ?user= takes), or an object naming one.
function actor(u) {
  if (u && typeof u === 'object') return u.login || u.display_name || String(u.id ?? '');
  return u || '';
}

// The summary is an object of what changed ({"login":"x"}), shown as
// "login: x, role: staff"; a string is shown as it is.
function summaryText(v) {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'object') return String(v);
  const parts = Object.entries(v).map(([k, x]) => `${k}: ${x !== null && typeof x === 'object' ? JSON.stringify(x) : x}`);
  const s = parts.join(', ');
  return s.length > 300 ? `${s.slice(0, 299)}…` : s;
}

function entryRow(e) {
  const summary = summaryText(e.summary);
  const object = [e.object_type, e.object_id].filter((x) => x !== null && x !== undefined && x !== '').join(' ');
  return h('tr', { class: 'audit-row', 'data-id': e.id },
    cell('audit.col.at', h('time', { datetime: e.at, text: formatTime(e.at) })),
    cell('audit.col.user',
      h('span', { class: 'audit-user', text: actor(e.user) || '—' }),
      e.role ? roleLabel(e.role, 'muted small') : null),
    cell('audit.col.action', h('code', { class: 'audit-action', text: e.action })),
    cell('audit.col.object', h('span', { class: 'audit-object', text: object || '—' }),
      summary ? h('span', { class: 'muted small audit-summary', text: summary }) : null),
    cell('audit.col.request', h('code', { class: 'audit-request small', text: e.request_id || '—' }),
      e.address ? h('span', { class: 'muted small', text: e.address }) : null));
}

function viewAudit(view) {
  const scope = getSession().scope;
  const title = h('h1', { class: 'view-title', id: 'audit-title', tabindex: '-1', i18n: 'audit.title' });
  const lead = h('p', { class: 'lead', i18n: 'audit.lead', vars: { scope: scope ? scope.name : '' } });

  const user = input('audit-user', { autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', i18nPh: 'audit.filter.user.ph' });
  const action = input('audit-action', { autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', i18nPh: 'audit.filter.action.ph' });
  const objectType = input('audit-object-type', { autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', i18nPh: 'audit.filter.object.ph' });
  const since = input('audit-since', { type: 'datetime-local' });
  const until = input('audit-until', { type: 'datetime-local' });
  const alert = h('p', { class: 'form-error', id: 'audit-filter-error', role: 'alert', hidden: true });
  const filter = h('form', { class: 'form form-grid filter-form', id: 'audit-filter', 'data-testid': 'audit-filter', role: 'search', novalidate: true },
    field('audit.filter.user', user),
    field('audit.filter.action', action),
    field('audit.filter.object', objectType),
    field('audit.filter.since', since),
    field('audit.filter.until', until),
    h('div', { class: 'form-wide form-actions' },
      alert,
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'audit-search', 'data-testid': 'audit-search', i18n: 'common.search' }),
      h('button', { type: 'reset', class: 'btn', id: 'audit-reset', i18n: 'common.reset' })));
  // Folded on a phone, where it would fill the screen; open on a desktop.
  const filterBox = h('details', { class: 'card create-box', id: 'audit-filter-box', open: window.matchMedia('(min-width: 900px)').matches },
    h('summary', { class: 'create-summary filter-summary', i18n: 'audit.filter.title' }), filter);

  const head = h('thead', {}, h('tr', {},
    ['at', 'user', 'action', 'object', 'request'].map((c) => h('th', { scope: 'col', i18n: `audit.col.${c}` }))));
  const rows = h('tbody', { id: 'audit-rows' });
  const table = h('table', { class: 'data-table', id: 'audit-list', 'data-testid': 'audit-list', 'aria-labelledby': 'audit-title' }, head, rows);
  const more = h('button', { type: 'button', class: 'btn btn-block-phone', id: 'audit-more', 'data-testid': 'audit-more', i18n: 'common.more', hidden: true });
  const empty = h('p', { class: 'empty', id: 'audit-empty', i18n: 'audit.empty', hidden: true });
  const listError = h('p', { class: 'form-error', id: 'audit-error', role: 'alert', hidden: true });
  const status = h('p', { class: 'loading small', role: 'status', hidden: true });

  view.append(h('section', { class: 'view view-audit', 'aria-labelledby': 'audit-title' },
    title, lead, filterBox, h('div', { class: 'table-wrap' }, table), empty, status, listError, more));

  const p = pager({
    list: rows, more, empty, error: listError, status,
    fetchPage: (cursor) => api('GET', withQuery('/api/v1/audit', {
      user: user.value.trim(), action: action.value.trim(), object_type: objectType.value.trim(),
      since: localToUtc(since.value), until: localToUtc(until.value), cursor
    })),
    renderItem: entryRow
  });

  filter.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearFormErrors(filter);
    const s = localToUtc(since.value);
    const u = localToUtc(until.value);
    if (s && u && s > u) {
      showError(alert, 'audit.filter.order');
      until.setAttribute('aria-invalid', 'true');
      until.focus();
      return;
    }
    p.reload();
  });
  // The reset button clears the fields; list everything again afterwards.
  filter.addEventListener('reset', () => {
    clearFormErrors(filter);
    setTimeout(() => p.reload(), 0);
  });
  p.reload();
  return () => p.destroy();
}

route('/audit', viewAudit, { nav: 'audit', title: 'audit.title', perm: 'audit.read' });
