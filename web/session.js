// session.js — who is signed in: the session state (GET /api/v1/session),
// the route guard, the user menu in the top bar, log-out, and the
// navigation built from the user's permissions.
//
// State: 'loading' (asking the server), 'in', 'out', or 'offline' (the
// server could not be asked). Views read it with getSession() / can().

import {
  api, ApiError, CSRF_KEY, sessionSet, sessionRemove, setGuard, refreshRoute, markCurrentNav,
  setUserArea, cloneTemplate, applyI18n, messageView, showError, clearError
} from './app.js';

const state = {
  status: 'loading',
  user: null,
  scope: null,
  permissions: new Set()
};

export function getSession() {
  return state;
}

export function can(permission) {
  return state.status === 'in' && state.permissions.has(permission);
}

// Roles from the highest rank down; equal ranks share a number.
export const ROLES = ['admin', 'commander', 'staff', 'grid_worker', 'handler', 'sampler', 'checkpoint', 'volunteer', 'resident'];
const RANK = { admin: 100, commander: 80, staff: 60, grid_worker: 40, handler: 40, sampler: 20, checkpoint: 20, volunteer: 10, resident: 0 };

export function rankOf(role) {
  return Object.prototype.hasOwnProperty.call(RANK, role) ? RANK[role] : -1;
}

// The roles the signed-in user may grant: at or below their own rank.
export function grantableRoles() {
  const mine = rankOf(state.user && state.user.role);
  return ROLES.filter((r) => rankOf(r) <= mine);
}

/* ------------------------------------------------------------------ */
/* Loading the session                                                  */

let seq = 0;

function setState(status, data, { refresh = true } = {}) {
  state.status = status;
  if (status === 'in') {
    state.user = data.user || null;
    state.scope = data.scope || null;
    state.permissions = new Set(Array.isArray(data.permissions) ? data.permissions : []);
  } else if (status !== 'loading') {
    state.user = null;
    state.scope = null;
    state.permissions = new Set();
  }
  renderUserArea();
  renderNav();
  if (refresh) refreshRoute();
  document.dispatchEvent(new CustomEvent('wg:session-state', { detail: { status } }));
}

// Asks the server who is signed in. Answers with the state reached.
export async function loadSession() {
  const mine = ++seq;
  if (state.status !== 'loading') setState('loading');
  try {
    const data = await api('GET', '/api/v1/session');
    if (mine !== seq) return state.status;
    if (!data || !data.user) throw new ApiError('bad_response', 200, 'No user in the session');
    if (typeof data.csrf_token === 'string' && data.csrf_token) sessionSet(CSRF_KEY, data.csrf_token);
    setState('in', data);
  } catch (err) {
    if (mine !== seq) return state.status;
    // 401: not signed in. 404: a server without the identity module.
    if (err.status === 401 || err.status === 404) {
      sessionRemove(CSRF_KEY);
      setState('out');
    } else {
      setState('offline');
    }
  }
  return state.status;
}

// Ends the session on the server, then here. A failure to reach the server
// is shown, not hidden: on a shared phone a log-out that did not happen must
// not look as if it did.
async function logout(errorEl, button) {
  button.disabled = true;
  clearError(errorEl);
  try {
    try {
      await api('DELETE', '/api/v1/session');
    } catch (err) {
      if (err.code !== 'csrf_failed') throw err;
      // The token was lost (e.g. storage cleared): fetch it again, retry once.
      const data = await api('GET', '/api/v1/session');
      if (data && data.csrf_token) sessionSet(CSRF_KEY, data.csrf_token);
      await api('DELETE', '/api/v1/session');
    }
  } catch (err) {
    if (err.status !== 401) { // 401: already ended
      showError(errorEl, err, 'logout');
      button.disabled = false;
      return;
    }
  }
  seq++;
  sessionRemove(CSRF_KEY);
  closeMenus();
  setState('out', null, { refresh: false }); // the address change renders
  window.location.hash = '#/login';
}

/* ------------------------------------------------------------------ */
/* Route guard                                                          */

function loadingView(view) {
  view.append(cloneTemplate('tpl-loading'));
}

function offlineView(view) {
  messageView('offline.title', 'offline.lead')(view);
  const btn = document.createElement('button');
  btn.type = 'button';
  btn.className = 'btn btn-primary';
  btn.id = 'offline-retry';
  btn.setAttribute('data-i18n', 'offline.retry');
  btn.addEventListener('click', () => { loadSession(); });
  view.querySelector('.message-card').append(btn);
}

const forbiddenView = messageView('forbidden.title', 'forbidden.lead');

setGuard((r) => {
  if (r.guest) {
    if (state.status === 'in') return { redirect: '#/home' };
    return null;
  }
  if (!r.auth) return null;
  if (state.status === 'loading') return { key: 'loading', render: loadingView };
  if (state.status === 'offline') return { key: 'offline', render: offlineView };
  if (state.status === 'out') {
    const path = window.location.hash.replace(/^#/, '') || '/home';
    return { redirect: `#/login?next=${encodeURIComponent(path)}` };
  }
  if (r.perm && !state.permissions.has(r.perm)) return { key: 'forbidden', render: forbiddenView };
  return null;
});

/* ------------------------------------------------------------------ */
/* The user menu in the top bar                                         */

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k === 'i18n') e.setAttribute('data-i18n', v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  e.append(...children.filter((c) => c != null));
  return e;
}

let menuCleanup = null;

function closeMenus() {
  for (const id of ['me-menu']) {
    const m = document.getElementById(id);
    if (m && !m.hidden) {
      m.hidden = true;
      document.getElementById('me-button')?.setAttribute('aria-expanded', 'false');
    }
  }
  setMoreOpen(false);
}

function renderUserArea() {
  if (menuCleanup) { menuCleanup(); menuCleanup = null; }
  if (state.status === 'loading' && !state.user) { setUserArea('empty'); return; }
  if (state.status !== 'in' && !(state.status === 'loading' && state.user)) { setUserArea(null); return; }

  const u = state.user;
  const name = u.display_name || u.login || '';
  const scopeName = state.scope ? state.scope.name : (u.area ? u.area.name : '');
  const roleKey = `role.${u.role}`;

  const button = el('button', {
    type: 'button', class: 'me-button', id: 'me-button', 'data-testid': 'me-button',
    'aria-expanded': 'false', 'aria-controls': 'me-menu'
  },
  el('span', { class: 'me-avatar', 'aria-hidden': 'true', text: Array.from(name)[0] || '?' }),
  el('span', { class: 'me-text' },
    el('span', { class: 'me-name', id: 'me-name', 'data-testid': 'me-name', text: name }),
    el('span', { class: 'me-sub' },
      el('span', { id: 'me-role', i18n: roleKey }),
      el('span', { class: 'me-sep', 'aria-hidden': 'true', text: ' · ' }),
      el('span', { id: 'me-scope', 'data-testid': 'me-scope', text: scopeName }))),
  el('span', { class: 'me-caret', 'aria-hidden': 'true' }));

  const error = el('p', { class: 'form-error small', id: 'logout-error', role: 'alert', hidden: true });
  const logoutBtn = el('button', {
    type: 'button', class: 'btn btn-block', id: 'logout-button', 'data-testid': 'logout-button', i18n: 'user.logout'
  });
  const menu = el('div', { class: 'me-menu', id: 'me-menu', 'data-testid': 'me-menu', hidden: true },
    el('p', { class: 'me-menu-name' },
      el('strong', { id: 'me-menu-name', text: name }),
      el('span', { class: 'muted small', id: 'me-menu-login', text: u.login ? ` ${u.login}` : '' })),
    el('dl', { class: 'me-facts' },
      el('dt', { i18n: 'user.role' }),
      el('dd', { id: 'me-menu-role', i18n: roleKey }),
      el('dt', { i18n: 'user.scope' }),
      el('dd', { id: 'me-menu-scope', 'data-testid': 'me-menu-scope', text: scopeName })),
    error,
    logoutBtn);

  const wrap = el('div', { class: 'me', id: 'me' }, button, menu);

  const open = (on) => {
    menu.hidden = !on;
    button.setAttribute('aria-expanded', on ? 'true' : 'false');
    if (on) setMoreOpen(false);
  };
  button.addEventListener('click', () => open(menu.hidden));
  logoutBtn.addEventListener('click', () => logout(error, logoutBtn));
  const onDocClick = (ev) => { if (!menu.hidden && !wrap.contains(ev.target)) open(false); };
  const onKey = (ev) => {
    if (ev.key === 'Escape' && !menu.hidden) { open(false); button.focus(); }
  };
  document.addEventListener('click', onDocClick);
  document.addEventListener('keydown', onKey);
  menuCleanup = () => {
    document.removeEventListener('click', onDocClick);
    document.removeEventListener('keydown', onKey);
  };
  setUserArea(wrap);
}

/* ------------------------------------------------------------------ */
/* Navigation                                                           */

// Entry -> permission needed; null: any signed-in user; 'public': everyone.
const NAV = [
  ['home', 'public'],
  ['areas', 'areas.read'],
  ['users', 'users.read'],
  ['units', 'units.read'],
  ['audit', 'audit.read'],
  ['cases', 'cases.read'],
  ['figures', 'cases.stats'],
  ['register', 'register.read'],
  ['import', 'register.write'],
  ['campaigns', null],
  ['command', null]
];
const BAR_MAX = 5; // entries on the phone's bottom bar, "More" included

function allowedEntries() {
  return NAV.filter(([, perm]) => perm === 'public' || (state.status === 'in' && (perm === null || state.permissions.has(perm))))
    .map(([key]) => key);
}

function setMoreOpen(on) {
  const nav = document.getElementById('main-nav');
  const btn = document.getElementById('nav-more');
  if (!nav) return;
  nav.classList.toggle('more-open', !!on && !!btn);
  if (btn) btn.setAttribute('aria-expanded', on ? 'true' : 'false');
}

function renderNav() {
  const tpl = document.getElementById('tpl-nav-items').content;
  const item = (key) => tpl.querySelector(`li[data-entry="${key}"]`).cloneNode(true);
  const keys = allowedEntries();
  const primary = document.getElementById('nav-primary');
  const more = document.getElementById('nav-more-panel');
  let first = keys;
  let rest = [];
  if (keys.length > BAR_MAX) {
    first = keys.slice(0, BAR_MAX - 1);
    rest = keys.slice(BAR_MAX - 1);
  }
  primary.replaceChildren(...first.map(item));
  if (rest.length) primary.append(item('more'));
  more.replaceChildren(...rest.map(item));
  more.hidden = rest.length === 0;
  const nav = document.getElementById('main-nav');
  nav.classList.remove('more-open');
  nav.setAttribute('data-count', String(primary.children.length));
  applyI18n(nav);
  const btn = document.getElementById('nav-more');
  if (btn) {
    btn.addEventListener('click', (ev) => {
      ev.stopPropagation();
      setMoreOpen(!nav.classList.contains('more-open'));
    });
  }
  markCurrentNav();
}

function init() {
  document.addEventListener('wg:route', () => {
    closeMenus();
    // "More" is current when the current page's entry is behind it.
    const btn = document.getElementById('nav-more');
    if (!btn) return;
    const inside = document.querySelector('#nav-more-panel [aria-current="page"]');
    if (inside) btn.setAttribute('data-current', 'true');
    else btn.removeAttribute('data-current');
  });
  document.addEventListener('click', (ev) => {
    const nav = document.getElementById('main-nav');
    if (nav && nav.classList.contains('more-open') && !nav.contains(ev.target)) setMoreOpen(false);
  });
  document.addEventListener('keydown', (ev) => {
    const nav = document.getElementById('main-nav');
    if (ev.key === 'Escape' && nav && nav.classList.contains('more-open')) {
      setMoreOpen(false);
      document.getElementById('nav-more')?.focus();
    }
  });
  // Logged in through the log-in page: show the user at once, then ask for
  // the scope and permissions.
  document.addEventListener('wg:session', (ev) => {
    const d = ev.detail || {};
    state.user = d.user || null;
    setState('loading');
    loadSession();
  });
  // A request answered 401: the session is gone.
  document.addEventListener('wg:unauthorized', () => {
    if (state.status !== 'in') return;
    seq++;
    sessionRemove(CSRF_KEY);
    setState('out'); // the guard sends a protected page to the log-in page
  });
  renderNav();
  renderUserArea();
  loadSession();
}

init();
