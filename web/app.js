// app.js — the shell of the wangge web UI: client error reporting, the api()
// helper, a hash router and the views of the shell (home, log-in, placeholders).
//
// Later modules are ES modules too: they import { api, route, showError, t }
// from './app.js', register their routes, and are listed in index.html after
// app.js. The first render waits for DOMContentLoaded, which fires only after
// every module script of the page has run, so their routes exist by then.
// session.js installs the route guard (who may open what) with setGuard().

import { t, has, applyI18n, initLang, setLang, getLang } from './i18n.js';

export { t, applyI18n };

export const CSRF_KEY = 'wg_csrf';

/* ------------------------------------------------------------------ */
/* Storage: may throw (disabled cookies, private mode); never let it.   */

export function sessionGet(key) {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

export function sessionSet(key, value) {
  try {
    window.sessionStorage.setItem(key, value);
  } catch {
    /* the session cookie still works; only CSRF-checked writes will fail */
  }
}

export function sessionRemove(key) {
  try {
    window.sessionStorage.removeItem(key);
  } catch {
    /* nothing stored, nothing to remove */
  }
}

/* ------------------------------------------------------------------ */
/* Client error reporting                                               */

const REPORT_MAX = 5; // per page load: a loop that throws must not flood the server
let reportsSent = 0;

// Cuts s to at most max UTF-8 bytes on a code point boundary. Whatever the
// server counts (bytes, code points or UTF-16 units) is then <= max, and no
// lone surrogate reaches its JSON parser.
function clip(s, max) {
  let out = '';
  let bytes = 0;
  for (const ch of String(s)) {
    const cp = ch.codePointAt(0);
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + n > max) break;
    bytes += n;
    out += ch;
  }
  return out;
}

function count(v) {
  const n = Math.floor(Number(v));
  return Number.isFinite(n) && n > 0 ? Math.min(n, 2147483647) : 0;
}

function describeReason(reason) {
  try {
    if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
    if (typeof reason === 'string') return reason;
    return JSON.stringify(reason) || String(reason);
  } catch {
    return 'Unhandled rejection';
  }
}

// Sends one report; never throws, never awaits, never reports its own failure.
function reportClientError(message, url, line, column) {
  try {
    if (reportsSent >= REPORT_MAX) return;
    reportsSent += 1;
    const headers = { 'Content-Type': 'application/json' };
    const csrf = sessionGet(CSRF_KEY);
    if (csrf) headers['X-CSRF-Token'] = csrf;
    const body = JSON.stringify({
      message: clip(message || 'Unknown error', 1000),
      url: clip(url || window.location.href, 500),
      line: count(line),
      column: count(column)
    });
    window.fetch('/api/v1/client-errors', {
      method: 'POST',
      credentials: 'same-origin',
      headers,
      body,
      keepalive: true // still delivered if the error made the user leave
    }).catch(() => {});
  } catch {
    /* the reporter must never become a source of errors itself */
  }
}

window.addEventListener('error', (ev) => {
  const msg = ev.message || (ev.error && ev.error.message) || 'Error';
  reportClientError(msg, ev.filename, ev.lineno, ev.colno);
});

window.addEventListener('unhandledrejection', (ev) => {
  reportClientError(describeReason(ev.reason), window.location.href, 0, 0);
});

/* ------------------------------------------------------------------ */
/* api(): the one way the UI talks to the server                        */

export class ApiError extends Error {
  // code: the envelope's snake_case code, or one of api()'s own:
  //   network (no answer), timeout, http_error (error without an envelope),
  //   bad_response (2xx that is not JSON).
  // status: HTTP status, 0 when there was no answer. field: name or null.
  // retryAfter: seconds from a Retry-After header (429, 503), else null.
  constructor(code, status, message, field = null, retryAfter = null) {
    super(message || code);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.field = field;
    this.retryAfter = retryAfter;
  }
}

export function newIdempotencyKey() {
  const c = window.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16); // randomUUID needs a secure context; this does not
  c.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// api(method, path, body?, opts?) -> parsed JSON of a 2xx answer (null if empty).
// Throws ApiError otherwise. opts: { timeout (ms, default 20000), signal,
// idempotencyKey (reuse it when resending the same POST), headers, raw (a
// Blob sent as the body instead of JSON, e.g. a photo), contentType (raw's) }.
// Non-GET requests carry the session's CSRF token; every POST carries an
// Idempotency-Key, so a phone resending after losing signal creates nothing twice.
export async function api(method, path, body, opts = {}) {
  method = method.toUpperCase();
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (opts.raw !== undefined) {
    headers['Content-Type'] = opts.contentType || 'application/octet-stream';
    init.body = opts.raw;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = sessionGet(CSRF_KEY);
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  if (method === 'POST') headers['Idempotency-Key'] = opts.idempotencyKey || newIdempotencyKey();

  const ctl = new AbortController();
  let timedOut = false;
  const timer = window.setTimeout(() => { timedOut = true; ctl.abort(); }, opts.timeout || 20000);
  const onAbort = () => ctl.abort();
  if (opts.signal) opts.signal.addEventListener('abort', onAbort, { once: true });
  init.signal = ctl.signal;

  let res;
  let text;
  try {
    res = await window.fetch(path, init);
    text = await res.text();
  } catch (e) {
    if (timedOut) throw new ApiError('timeout', 0, 'Request timed out');
    if (e && e.name === 'AbortError') throw e; // the caller cancelled: not an error to show
    throw new ApiError('network', res ? res.status : 0, 'Network error');
  } finally {
    window.clearTimeout(timer);
    if (opts.signal) opts.signal.removeEventListener('abort', onAbort);
  }

  let data = null;
  let parsed = text === '';
  if (text !== '') {
    try {
      data = JSON.parse(text);
      parsed = true;
    } catch {
      /* handled below */
    }
  }
  if (res.ok) {
    if (!parsed) throw new ApiError('bad_response', res.status, 'Answer is not JSON');
    return data;
  }
  // A session that ended (expired, logged out elsewhere) while a page was
  // open: session.js hears this and sends the user to the log-in page. The
  // session resource itself answers 401 as a matter of course.
  if (res.status === 401 && !path.startsWith('/api/v1/session')) {
    document.dispatchEvent(new CustomEvent('wg:unauthorized', { detail: { path } }));
  }
  const retryAfter = retryAfterSeconds(res.headers.get('Retry-After'));
  const env = data && typeof data === 'object' ? data.error : null;
  if (env && typeof env.code === 'string') {
    throw new ApiError(env.code, res.status, env.message || env.code, env.field ?? null, retryAfter);
  }
  throw new ApiError('http_error', res.status, `HTTP ${res.status}`, null, retryAfter);
}

// Retry-After is either seconds or an HTTP date; null when absent or odd.
function retryAfterSeconds(v) {
  if (!v) return null;
  if (/^\s*\d+\s*$/.test(v)) return Number(v);
  const when = Date.parse(v);
  if (Number.isNaN(when)) return null;
  return Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

// The i18n key for err: "<ctx>.err.<code>", else "err.<code>", else null.
// A code with a Retry-After first tries the same keys with ".wait" appended
// (their text names the seconds: {seconds}).
export function errorKey(err, ctx) {
  const code = err && err.code;
  if (!code) return null;
  const codes = err.retryAfter != null ? [`${code}.wait`, code] : [code];
  for (const c of codes) {
    if (ctx && has(`${ctx}.err.${c}`)) return `${ctx}.err.${c}`;
    if (has(`err.${c}`)) return `err.${c}`;
  }
  return null;
}

// Puts a readable message for err into el (an element with role="alert"):
// the translation of "<ctx>.err.<code>", else of "err.<code>", else the
// server's own message. A translated message follows language switches.
export function showError(el, err, ctx) {
  let key = null;
  if (typeof err === 'string') key = err;
  else key = errorKey(err, ctx) || (err && err.message ? null : 'err.unknown');

  if (key) {
    el.setAttribute('data-i18n', key);
    el.setAttribute('data-i18n-vars', JSON.stringify({
      status: (err && err.status) || '',
      seconds: (err && err.retryAfter) ?? ''
    }));
    applyI18n(el);
  } else {
    el.removeAttribute('data-i18n');
    el.removeAttribute('data-i18n-vars');
    el.textContent = err.message;
  }
  el.hidden = false;
}

export function clearError(el) {
  el.hidden = true;
  el.textContent = '';
  el.removeAttribute('data-i18n');
}

/* ------------------------------------------------------------------ */
/* Router                                                               */

// path pattern -> { render(view, params, query) -> cleanup?, nav, title, auth, perm, guest }
const routes = new Map();

// route('/cases/:id', render, { nav: 'cases', title: 'nav.cases', perm: 'cases.read' })
// nav: the data-nav of the navigation entry to mark current;
// title: i18n key for the document title;
// auth: only for a signed-in user; perm: only with that permission (implies auth);
// guest: only for a visitor who is not signed in (the log-in page).
export function route(pattern, render, { nav = null, title = 'app.name', auth = false, perm = null, guest = false } = {}) {
  routes.set(pattern, { render, nav, title, auth: auth || !!perm, perm, guest });
}

// The guard decides, for the route about to render, one of
//   null                          render it
//   { redirect: '#/login?...' }   go there instead (replacing the address)
//   { key, render(view) }         render this instead (waiting, forbidden...)
// session.js installs it; without one every route renders.
let guard = null;
export function setGuard(fn) {
  guard = fn;
}

function matchPattern(pattern, path) {
  const a = pattern.split('/');
  const b = path.split('/');
  if (a.length !== b.length) return null;
  const params = {};
  for (let i = 0; i < a.length; i++) {
    if (a[i].startsWith(':')) {
      try {
        params[a[i].slice(1)] = decodeURIComponent(b[i]);
      } catch {
        return null;
      }
      if (!b[i]) return null;
    } else if (a[i] !== b[i]) {
      return null;
    }
  }
  return params;
}

function resolve(hash) {
  const raw = hash.replace(/^#/, '');
  const [path, qs = ''] = (raw && raw !== '/' ? raw : '/home').split('?');
  const query = new URLSearchParams(qs);
  for (const [pattern, r] of routes) {
    const params = matchPattern(pattern, path);
    if (params) return { ...r, params, query };
  }
  return { ...notFoundRoute, params: {}, query };
}

let cleanup = null;
let current = null;
let rendered = false;
let verdictKey = null; // what the guard decided for the page on screen

function updateTitle() {
  if (!current) return;
  const page = t(current.title);
  const app = t('app.name');
  document.title = page === app ? app : `${page} · ${app}`;
}

function markNav(nav) {
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.getAttribute('data-nav') === nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// Marks the current route's navigation entry again (after the navigation
// was rebuilt).
export function markCurrentNav() {
  markNav(current ? current.nav : null);
  document.dispatchEvent(new CustomEvent('wg:route', { detail: { nav: current ? current.nav : null } }));
}

function verdictOf(r) {
  const v = guard ? guard(r) : null;
  if (!v) return { key: 'ok' };
  if (v.redirect) return { key: `redirect:${v.redirect}`, redirect: v.redirect };
  return { key: v.key || 'other', render: v.render };
}

// Renders the current address again when the guard's decision for it has
// changed (session.js calls this when the user logs in or out).
export function refreshRoute() {
  if (!rendered) return;
  const r = resolve(window.location.hash);
  const v = verdictOf(r);
  if (v.key !== verdictKey) renderRoute();
  else markCurrentNav();
}

function renderRoute() {
  if (cleanup) {
    try {
      cleanup();
    } catch (e) {
      reportClientError(`cleanup: ${describeReason(e)}`, window.location.href, 0, 0);
    }
    cleanup = null;
  }
  current = resolve(window.location.hash);
  const verdict = verdictOf(current);
  if (verdict.redirect) {
    verdictKey = null;
    window.location.replace(verdict.redirect); // fires hashchange: renders again
    return;
  }
  verdictKey = verdict.key;
  const view = document.getElementById('view');
  view.replaceChildren();
  const render = verdict.render || current.render;
  const result = render(view, current.params, current.query);
  cleanup = typeof result === 'function' ? result : null;
  applyI18n(view);
  markCurrentNav();
  updateTitle();
  // After a navigation (not the first load) put focus on the new heading so
  // screen readers announce the page, and start at the top as a new page would.
  if (rendered) {
    window.scrollTo(0, 0);
    const h = view.querySelector('.view-title');
    if (h) h.focus({ preventScroll: true });
  }
  rendered = true;
}

export function cloneTemplate(id) {
  return document.getElementById(id).content.firstElementChild.cloneNode(true);
}

/* ------------------------------------------------------------------ */
/* Views                                                                */

function setBadge(badge, state) {
  badge.setAttribute('data-state', state);
  const label = badge.querySelector('#health-text');
  label.setAttribute('data-i18n', `health.${state}`);
  applyI18n(label);
}

function viewHome(view) {
  const el = cloneTemplate('tpl-home');
  view.append(el);
  const badge = el.querySelector('#health-badge');
  let seq = 0;
  const check = async () => {
    const mine = ++seq; // a slow earlier answer must not overwrite a newer one
    setBadge(badge, 'loading');
    let state = 'error';
    try {
      const data = await api('GET', '/healthz', undefined, { timeout: 8000 });
      state = data && data.status === 'ok' ? 'ok' : 'error';
    } catch {
      state = 'error';
    }
    if (mine === seq) setBadge(badge, state);
  };
  el.querySelector('#health-recheck').addEventListener('click', check);
  check();
  return () => { seq = -1; };
}

// Where to go after logging in: the page that sent the user here (?next=),
// if it is a route of this app, else home.
function afterLogin(query) {
  const next = query && query.get('next');
  return next && /^\/[a-z]/.test(next) && !next.startsWith('/login') ? `#${next}` : '#/home';
}

function viewLogin(view, params, query) {
  const el = cloneTemplate('tpl-login');
  view.append(el);
  const form = el.querySelector('#login-form');
  const user = el.querySelector('#login-user');
  const pass = el.querySelector('#login-password');
  const submit = el.querySelector('#login-submit');
  const error = el.querySelector('#login-error');
  let busy = false;
  let alive = true;

  const setBusy = (on) => {
    busy = on;
    submit.disabled = on;
    submit.setAttribute('data-i18n', on ? 'login.submitting' : 'login.submit');
    applyI18n(submit);
    if (on) form.setAttribute('aria-busy', 'true');
    else form.removeAttribute('aria-busy');
  };
  const markInvalid = (input, on) => {
    if (on) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', 'login-error');
    } else {
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
    }
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    const login = user.value.trim();
    const password = pass.value;
    markInvalid(user, !login);
    markInvalid(pass, !password);
    if (!login || !password) {
      showError(error, 'login.missing');
      (login ? pass : user).focus();
      return;
    }
    clearError(error);
    setBusy(true);
    try {
      const data = await api('POST', '/api/v1/session', { login, password });
      if (!data || typeof data.csrf_token !== 'string' || data.csrf_token === '') {
        throw new ApiError('bad_response', 200, 'No csrf_token in the answer');
      }
      sessionSet(CSRF_KEY, data.csrf_token);
      pass.value = '';
      document.dispatchEvent(new CustomEvent('wg:session', { detail: data }));
      window.location.hash = afterLogin(query);
    } catch (err) {
      if (!alive) return;
      showError(error, err, 'login');
      if (err.code === 'invalid_credentials') {
        markInvalid(user, true);
        markInvalid(pass, true);
      }
      pass.focus();
    } finally {
      if (alive) setBusy(false);
    }
  });
  user.addEventListener('input', () => markInvalid(user, false));
  pass.addEventListener('input', () => markInvalid(pass, false));
  return () => { alive = false; };
}

// A page with a heading, a lead and an optional description, used for the
// modules still to come and for unknown addresses.
function messageView(titleKey, leadKey, descKey) {
  return (view) => {
    const el = cloneTemplate('tpl-message');
    el.querySelector('#message-title').setAttribute('data-i18n', titleKey);
    el.querySelector('#message-lead').setAttribute('data-i18n', leadKey);
    const desc = el.querySelector('#message-desc');
    if (descKey) desc.setAttribute('data-i18n', descKey);
    else desc.remove();
    view.append(el);
  };
}

const notFoundRoute = {
  render: messageView('notfound.title', 'notfound.lead'),
  nav: null,
  title: 'notfound.title'
};

route('/home', viewHome, { nav: 'home', title: 'nav.home' });
route('/login', viewLogin, { nav: 'login', title: 'login.title', guest: true });
// Placeholders until each module registers its own route under the same path
// (a later route() call for the same pattern replaces these).
for (const mod of ['register', 'campaigns', 'command']) {
  route(`/${mod}`, messageView(`nav.${mod}`, 'soon.lead', `mod.${mod}.desc`), { nav: mod, title: `nav.${mod}`, auth: true });
}

export { messageView };

/* ------------------------------------------------------------------ */
/* The user area in the top bar                                         */

// Replaces the top bar's user area (session.js shows who is logged in and
// their scope). null puts the "Log in" link there; 'empty' leaves it empty
// (while the session is being asked for).
export function setUserArea(node) {
  const area = document.getElementById('topbar-user');
  if (node === 'empty') area.replaceChildren();
  else area.replaceChildren(node || cloneTemplate('tpl-login-link'));
  applyI18n(area);
  if (current) markNav(current.nav);
}

/* ------------------------------------------------------------------ */
/* Start                                                                */

function syncLangButton() {
  // The button names the other language, in that language.
  const btn = document.getElementById('lang-switch');
  btn.setAttribute('lang', getLang() === 'en' ? 'zh-CN' : 'en');
}

function boot() {
  initLang();
  syncLangButton();
  document.addEventListener('wg:lang', () => {
    syncLangButton();
    updateTitle();
  });
  document.getElementById('lang-switch').addEventListener('click', () => {
    setLang(getLang() === 'en' ? 'zh-CN' : 'en');
  });
  // "#main" would be taken for a route: move focus by hand instead.
  document.getElementById('skip-link').addEventListener('click', (ev) => {
    ev.preventDefault();
    const main = document.getElementById('main');
    const h = main.querySelector('.view-title');
    (h || main).focus();
  });
  window.addEventListener('hashchange', renderRoute);
  renderRoute();
}

// Module scripts run while readyState is already "interactive", before
// DOMContentLoaded: booting then would route a first-loaded address such as
// #/report before the module that registers it has run.
if (document.readyState === 'complete') boot();
else document.addEventListener('DOMContentLoaded', boot);
