// views/register.js — #/register: the register of the caller's scope (the
// counts per area, the person search with export, the households), and
// #/home, which for a grid worker becomes "My grid": their grid's
// households, a big search box and "add household", the page a grid worker
// lands on after logging in. Everyone else keeps the shell's home page.

import { api, route, cloneTemplate, applyI18n } from '../app.js';
import { can, getSession } from '../session.js';
import { h, tr, input, select } from './util.js';
import { areaSelect, fillTagSelect, loadStats, forgetStats } from './reg.js';
import { buildPersonSearch } from './persons.js';
import { buildHouseholdList, buildHouseholdAdd } from './households.js';

/* ------------------------------------------------------------------ */
/* #/register                                                           */

function statsChildren(stats, onPick) {
  const children = Array.isArray(stats.children) ? stats.children : [];
  return h('div', { class: 'stats-body' },
    h('p', { class: 'stats-total', id: 'register-total' },
      h('strong', { text: stats.area ? stats.area.name : '' }),
      h('span', { class: 'stats-nums', i18n: 'reg.counts', vars: { h: stats.households ?? 0, p: stats.persons ?? 0 } })),
    children.length
      ? h('ul', { class: 'stats-list', id: 'register-children' }, children.map((c) => h('li', { 'data-code': c.code },
        h('button', { type: 'button', class: 'stats-item', on: { click: () => onPick(c.code) } },
          h('span', { class: 'stats-name', text: c.name }),
          h('span', { class: 'stats-nums muted small', i18n: 'reg.counts', vars: { h: c.households ?? 0, p: c.persons ?? 0 } })))))
      : null);
}

function viewRegister(view) {
  const scope = getSession().scope;
  let alive = true;
  forgetStats(); // counts as they are now, not as this tab last saw them

  const title = h('h1', { class: 'view-title', id: 'register-title', tabindex: '-1', i18n: 'register.title' });
  const lead = h('p', { class: 'lead', i18n: 'register.lead', vars: { scope: scope ? scope.name : '' } });

  // The area: a select with the counts, drilling down as areas are chosen.
  const areaSel = select('register-area', [], { i18nAria: 'reg.field.area' });
  const areas = areaSelect(areaSel);
  const stats = h('div', { class: 'card stats-card', id: 'register-stats', 'data-testid': 'register-stats', 'aria-live': 'polite' },
    h('div', { class: 'field stats-area' }, h('label', { for: 'register-area', i18n: 'reg.field.area' }), areaSel),
    h('p', { class: 'loading small', role: 'status' }, h('span', { i18n: 'common.loading' })));
  const statsError = h('p', { class: 'form-error', id: 'register-stats-error', role: 'alert', hidden: true });
  const area = () => areaSel.value || '';

  // Persons
  const persons = buildPersonSearch({ getArea: area });
  const personsSection = h('section', { class: 'register-part', 'aria-labelledby': 'persons-title' },
    h('h2', { class: 'section-title', id: 'persons-title', i18n: 'persons.title' }), persons.el);

  // Households
  const address = input('household-address', { type: 'search', maxlength: '200', autocomplete: 'off', i18nPh: 'hh.filter.address.ph', i18nAria: 'hh.filter.address' });
  const tag = select('household-tag', [['', 'hh.filter.tag.all']], { i18nAria: 'hh.filter.tag' });
  fillTagSelect(tag, 'household', 'hh.filter.tag.all');
  const filter = h('form', { class: 'filter-bar', id: 'household-filter', role: 'search', novalidate: true },
    h('div', { class: 'filter-grow' }, address, h('button', { type: 'submit', class: 'btn', id: 'household-search', i18n: 'common.search' })),
    tag);
  const list = buildHouseholdList(() => ({ area: area(), address: address.value.trim(), tag: tag.value }));
  const add = can('register.write') ? buildHouseholdAdd({ defaultArea: area }) : null;
  const householdsSection = h('section', { class: 'register-part', 'aria-labelledby': 'households-title' },
    h('div', { class: 'section-head' },
      h('h2', { class: 'section-title', id: 'households-title', i18n: 'hh.list.title' }),
      can('register.write') ? h('a', { class: 'btn btn-small', id: 'register-import', href: '#/import', i18n: 'import.open' }) : null),
    add, filter, list.el);

  view.append(h('section', { class: 'view view-register', 'aria-labelledby': 'register-title' },
    title, lead, stats, statsError, personsSection, householdsSection));

  let shown = null;
  async function showStats(code) {
    shown = code;
    try {
      const s = await loadStats(code || undefined);
      if (!alive || shown !== code) return;
      const old = stats.querySelector('.stats-body, .loading');
      const fresh = tr(statsChildren(s, pick));
      if (old) old.replaceWith(fresh);
      else stats.append(fresh);
    } catch (err) {
      if (!alive) return;
      stats.querySelector('.loading')?.remove();
      statsError.hidden = false;
      statsError.setAttribute('data-i18n', err.status === 404 ? 'err.not_found' : 'reg.stats.failed');
      tr(statsError);
    }
  }
  const changed = () => {
    areas.expand(area());
    showStats(area());
    list.reload();
    persons.refresh();
  };
  function pick(code) {
    areas.expand(code);
    const opt = areaSel.querySelector(`option[value="${CSS.escape(code)}"]`);
    if (opt) {
      areaSel.value = code;
      changed();
    }
  }
  areaSel.addEventListener('change', changed);
  areas.ready.then(() => {
    if (!alive) return;
    persons.refresh();
    showStats(area());
  }).catch(() => { if (alive) showStats(''); });

  let timer = 0;
  filter.addEventListener('submit', (ev) => { ev.preventDefault(); clearTimeout(timer); list.reload(); });
  address.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { if (alive) list.reload(); }, 400); });
  tag.addEventListener('change', () => list.reload());
  list.reload();

  return () => {
    alive = false;
    clearTimeout(timer);
    list.destroy();
    persons.destroy();
  };
}

/* ------------------------------------------------------------------ */
/* #/home                                                               */

// The shell's home page (app.js's own, which this route replaces).
function standardHome(view) {
  const el = cloneTemplate('tpl-home');
  view.append(el);
  const badge = el.querySelector('#health-badge');
  let seq = 0;
  const set = (state) => {
    badge.setAttribute('data-state', state);
    const label = badge.querySelector('#health-text');
    label.setAttribute('data-i18n', `health.${state}`);
    applyI18n(label);
  };
  const check = async () => {
    const mine = ++seq;
    set('loading');
    let state = 'error';
    try {
      const data = await api('GET', '/healthz', undefined, { timeout: 8000 });
      state = data && data.status === 'ok' ? 'ok' : 'error';
    } catch {
      state = 'error';
    }
    if (mine === seq) set(state);
  };
  el.querySelector('#health-recheck').addEventListener('click', check);
  check();
  return () => { seq = -1; };
}

function myGrid(view) {
  const scope = getSession().scope;
  let alive = true;
  forgetStats();
  const title = h('h1', { class: 'view-title', id: 'my-grid-title', tabindex: '-1', i18n: 'grid.title' });
  const counts = h('p', { class: 'lead grid-lead', id: 'my-grid-counts' },
    h('span', { class: 'grid-name', id: 'my-grid-name', text: scope ? scope.name : '' }));
  const search = buildPersonSearch({ big: true });
  const add = can('register.write') && scope ? buildHouseholdAdd({ area: scope.code }) : null;
  const list = buildHouseholdList(() => ({}));
  view.append(h('section', { class: 'view view-grid', id: 'my-grid', 'data-testid': 'my-grid', 'aria-labelledby': 'my-grid-title' },
    title, counts, search.el, add,
    h('div', { class: 'section-head' },
      h('h2', { class: 'section-title', id: 'households-title', i18n: 'grid.households' }),
      h('a', { class: 'btn btn-small', id: 'my-grid-register', href: '#/register', i18n: 'grid.open.register' })),
    list.el));
  list.reload();
  loadStats().then((s) => {
    if (!alive) return;
    counts.append(tr(h('span', { class: 'grid-counts', i18n: 'reg.counts', vars: { h: s.households ?? 0, p: s.persons ?? 0 } })));
  }).catch(() => {});
  return () => {
    alive = false;
    search.destroy();
    list.destroy();
  };
}

// 'grid' for a signed-in grid worker; 'wait' while the session of one who
// just logged in is being asked for; otherwise the shell's home.
function homeMode() {
  const s = getSession();
  if (s.status === 'in') return s.user && s.user.role === 'grid_worker' && s.permissions.has('register.read') ? 'grid' : 'home';
  if (s.status === 'loading' && s.user && s.user.role === 'grid_worker') return 'wait';
  return 'home';
}

function viewHome(view) {
  let mode = null;
  let inner = null;
  const render = () => {
    const m = homeMode();
    if (m === mode) return;
    mode = m;
    if (inner) inner();
    inner = null;
    view.replaceChildren();
    if (m === 'grid') inner = myGrid(view);
    else if (m === 'wait') view.append(cloneTemplate('tpl-loading'));
    else inner = standardHome(view);
    applyI18n(view);
  };
  render();
  document.addEventListener('wg:session-state', render);
  return () => {
    document.removeEventListener('wg:session-state', render);
    if (inner) inner();
  };
}

route('/home', viewHome, { nav: 'home', title: 'nav.home' });
route('/register', viewRegister, { nav: 'register', title: 'register.title', perm: 'register.read' });
