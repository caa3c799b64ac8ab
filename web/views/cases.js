// views/cases.js — #/cases: the inboxes each role works from, with their
// counts and unread dots.
//   dispatch     staff: new and returned cases, extension requests
//   department   a handler's department: due first, overdue highlighted,
//                a countdown to each due time
//   mine         what the caller reported, with its state
//   supervision  commanders and staff: late or near-late cases, with
//                督办 (supervise, with a note) and 催办 (remind) at hand
//   all          everything the caller may see, with filters

import { api, route, newIdempotencyKey, showError } from '../app.js';
import { can, getSession } from '../session.js';
import { h, tr, input, select, pager, withQuery, formatTime, setBusy, flash } from './util.js';
import {
  STATES, SOURCES, stateBadge, categoryLabel, sourceLabel, caseHref, countdown, refreshCounts, loadCategories
} from './casekit.js';

const INBOXES = ['dispatch', 'department', 'mine', 'supervision', 'all'];

function defaultInbox(available) {
  const role = getSession().user ? getSession().user.role : '';
  const pref = role === 'handler' ? 'department' : ['admin', 'commander', 'staff'].includes(role) ? 'dispatch' : 'mine';
  return available.includes(pref) ? pref : available[0] || 'all';
}

function caseItem(c, inbox, onChanged) {
  const late = !!c.overdue;
  const tags = h('span', { class: 'case-tags' },
    c.urgent ? h('span', { class: 'tag-flag tag-urgent', i18n: 'case.flag.urgent' }) : null,
    c.extension_pending ? h('span', { class: 'tag-flag tag-ext', i18n: 'case.flag.extension' }) : null,
    c.supervised ? h('span', { class: 'tag-flag tag-sup', i18n: 'case.flag.supervised' }) : null,
    late ? h('span', { class: 'tag-flag tag-late', i18n: 'case.flag.overdue' }) : null);
  const main = h('a', { class: 'case-link', href: caseHref(c.id), id: `case-link-${c.id}` },
    h('span', { class: 'case-line1' },
      c.unread ? h('span', { class: 'unread-dot', i18nTitle: 'case.unread', i18nAria: 'case.unread' }) : null,
      h('span', { class: 'case-id', text: `#${c.id}` }),
      h('strong', { class: 'case-title', text: c.title }),
      stateBadge(c.state)),
    h('span', { class: 'case-line2 muted small' },
      categoryLabel(c.category), ' · ', h('span', { text: c.area ? c.area.name : '' }), ' · ', sourceLabel(c.source),
      c.lead_department ? [' · ', h('span', { class: 'case-dept', text: c.lead_department.name })] : null),
    h('span', { class: 'case-line3 small' },
      h('span', { class: 'muted', i18n: 'case.submitted_at', vars: { time: formatTime(c.submitted_at) } }),
      c.due_at ? [' ', countdown(c.due_at)] : null, tags));
  const li = h('li', { class: `case-item${late ? ' is-overdue' : ''}${c.unread ? ' is-unread' : ''}`, 'data-id': c.id, 'data-state': c.state }, main);
  if (inbox === 'supervision') li.append(superviseTools(c, onChanged));
  return li;
}

// 督办 needs a note; 催办 is one tap.
function superviseTools(c, onChanged) {
  const note = h('input', { type: 'text', class: 'sup-note', id: `sup-note-${c.id}`, maxlength: '500', i18nPh: 'case.supervise.note.ph', i18nAria: 'case.supervise.note.ph', hidden: true });
  const sup = h('button', { type: 'button', class: 'btn btn-small', id: `sup-${c.id}`, i18n: 'case.action.supervise' });
  const rem = h('button', { type: 'button', class: 'btn btn-small', id: `remind-${c.id}`, i18n: 'case.action.remind' });
  const ok = h('span', { class: 'form-ok small', id: `sup-ok-${c.id}`, role: 'status', hidden: true });
  const err = h('span', { class: 'form-error small', id: `sup-error-${c.id}`, role: 'alert', hidden: true });
  let version = c.version;
  const send = async (action, btn, text) => {
    setBusy(btn, true);
    err.hidden = true;
    try {
      const r = await api('POST', `/api/v1/cases/${c.id}/actions`, { action, version, ...(text ? { text } : {}) }, { idempotencyKey: newIdempotencyKey() });
      version = r.version;
      flash(ok, action === 'supervise' ? 'case.supervise.done' : 'case.remind.done');
      note.hidden = true;
      note.value = '';
      onChanged();
    } catch (e) {
      showError(err, e, 'case.act');
    } finally {
      setBusy(btn, false);
    }
  };
  sup.addEventListener('click', () => {
    if (note.hidden) { note.hidden = false; note.focus(); return; }
    if (!note.value.trim()) { note.focus(); return; }
    send('supervise', sup, note.value.trim());
  });
  note.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); sup.click(); } });
  rem.addEventListener('click', () => send('remind', rem));
  return h('div', { class: 'sup-tools' }, note, sup, rem, ok, err);
}

function viewCases(view, params, query) {
  let alive = true;
  let inbox = query.get('inbox') || '';
  const title = h('h1', { class: 'view-title', id: 'cases-title', tabindex: '-1', i18n: 'case.list.title' });
  const tabs = h('div', { class: 'tabs', role: 'tablist', id: 'case-tabs', 'aria-labelledby': 'cases-title' });
  const newBtn = can('cases.submit') ? h('a', { class: 'btn btn-primary', href: '#/cases/new', id: 'case-new', 'data-testid': 'case-new', i18n: 'case.new.open' }) : null;

  // Filters, for the "all" tab.
  const q = input('case-q', { type: 'search', maxlength: '100', i18nPh: 'case.filter.q', i18nAria: 'case.filter.q' });
  const state = select('case-state-filter', [['', 'case.filter.state.all'], ...STATES.map((s) => [s, `case.state.${s}`])], { i18nAria: 'case.filter.state' });
  const source = select('case-source-filter', [['', 'case.filter.source.all'], ...SOURCES.map((s) => [s, `case.source.${s}`])], { i18nAria: 'case.filter.source' });
  const filter = h('form', { class: 'filter-bar', id: 'case-filter', role: 'search', novalidate: true, hidden: true },
    h('div', { class: 'filter-grow' }, q, h('button', { type: 'submit', class: 'btn', i18n: 'common.search' })), state, source);

  const list = h('ul', { class: 'case-list', id: 'case-list', 'data-testid': 'case-list' });
  const more = h('button', { type: 'button', class: 'btn btn-block-phone', id: 'cases-more', i18n: 'common.more', hidden: true });
  const empty = h('p', { class: 'empty', id: 'cases-empty', i18n: 'case.list.empty', hidden: true });
  const error = h('p', { class: 'form-error', id: 'cases-error', role: 'alert', hidden: true });
  const status = h('p', { class: 'loading small', role: 'status', hidden: true });
  const lead = h('p', { class: 'muted small', id: 'case-inbox-lead' });

  const created = query.get('created');
  const createdNote = created ? h('p', { class: 'notice', id: 'case-created', role: 'status', i18n: 'case.created.n', vars: { id: created } }) : null;
  view.append(h('section', { class: 'view view-cases', 'aria-labelledby': 'cases-title' },
    h('div', { class: 'section-head' }, title, newBtn), createdNote, tabs, lead, filter, list, empty, status, error, more));

  const p = pager({
    list, more, empty, error, status,
    fetchPage: (cursor) => api('GET', withQuery('/api/v1/cases', inbox === 'all'
      ? { q: q.value.trim(), state: state.value, source: source.value, cursor }
      : { inbox, cursor })),
    renderItem: (c) => {
      const li = caseItem(c, inbox, () => { if (alive) refreshCounts(); });
      if (created && String(c.id) === created) li.classList.add('is-new');
      return li;
    }
  });

  function paintTabs(counts) {
    const available = INBOXES.filter((i) => i === 'all' || (counts && counts[i]));
    if (!inbox || !available.includes(inbox)) inbox = defaultInbox(available);
    tabs.replaceChildren(...available.map((i) => {
      const c = counts && counts[i];
      return h('a', {
        class: 'tab', role: 'tab', id: `case-tab-${i}`, 'data-testid': `case-tab-${i}`, href: `#/cases?inbox=${i}`,
        'aria-selected': i === inbox ? 'true' : 'false', 'aria-current': i === inbox ? 'page' : null
      }, h('span', { i18n: `case.inbox.${i}` }),
      c ? h('span', { class: 'tab-count', id: `case-count-${i}`, text: String(c.total) }) : null,
      c && c.unread ? h('span', { class: 'tab-unread', id: `case-unread-${i}`, i18n: 'case.inbox.unread', vars: { n: c.unread } }) : null);
    }));
    tr(tabs);
    filter.hidden = inbox !== 'all';
    lead.setAttribute('data-i18n', `case.inbox.${inbox}.lead`);
    tr(lead);
  }

  loadCategories().catch(() => {}).finally(() => {
    refreshCounts().then((counts) => {
      if (!alive) return;
      paintTabs(counts);
      p.reload();
    });
  });
  filter.addEventListener('submit', (ev) => { ev.preventDefault(); p.reload(); });
  state.addEventListener('change', () => p.reload());
  source.addEventListener('change', () => p.reload());
  // The due countdowns move: repaint the list every minute.
  const timer = window.setInterval(() => { if (alive && document.visibilityState === 'visible') { refreshCounts().then((c) => { if (alive) paintTabs(c); }); p.reload(); } }, 60000);
  return () => { alive = false; window.clearInterval(timer); p.destroy(); };
}

route('/cases', viewCases, { nav: 'cases', title: 'case.list.title', perm: 'cases.read' });
