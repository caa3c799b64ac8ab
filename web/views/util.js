// views/util.js — small helpers shared by the identity views: building DOM
// without innerHTML, form fields with their own error line, errors from the
// API envelope put next to the field they name, paged lists, and time.

import { applyI18n, showError, clearError, errorKey } from '../app.js';

export { applyI18n };

// h('p', { class: 'x', i18n: 'key', vars: { n: 1 }, on: { click: fn } }, child...)
// Attributes: class, text (textContent), i18n / i18nPh / i18nAria / i18nTitle
// (translation keys), vars (values for the key), on (listeners); any other
// name becomes an attribute (true -> empty, false/null -> left out).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    switch (k) {
      case 'class': el.className = v; break;
      case 'text': el.textContent = String(v); break;
      case 'i18n': el.setAttribute('data-i18n', v); break;
      case 'i18nPh': el.setAttribute('data-i18n-placeholder', v); break;
      case 'i18nAria': el.setAttribute('data-i18n-aria-label', v); break;
      case 'i18nTitle': el.setAttribute('data-i18n-title', v); break;
      case 'vars': el.setAttribute('data-i18n-vars', JSON.stringify(v)); break;
      case 'on': for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn); break;
      case 'value': el.value = v; break;
      default: el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// Translates a node built after the view was first translated.
export function tr(node) {
  applyI18n(node);
  return node;
}

/* ------------------------------------------------------------------ */
/* Labels                                                               */

export const LEVELS = ['root', 'city', 'county', 'town', 'community', 'grid', 'building'];

// The levels a child of `level` may have: every one below it.
export function levelsBelow(level) {
  const i = LEVELS.indexOf(level);
  return i < 0 ? [] : LEVELS.slice(i + 1);
}

export function levelTag(level) {
  return h('span', { class: `tag-level tag-level-${LEVELS.includes(level) ? level : 'other'}`, i18n: `level.${level}` });
}

const ROLE_KEYS = ['admin', 'commander', 'staff', 'grid_worker', 'handler', 'sampler', 'checkpoint',
  'volunteer', 'resident', 'anonymous'];

// A role's name; one this UI does not know is shown as the server wrote it.
export function roleLabel(role, cls = '') {
  return ROLE_KEYS.includes(role)
    ? h('span', { class: cls || null, i18n: `role.${role}` })
    : h('span', { class: cls || null, text: role });
}

export function roleTag(role) {
  return roleLabel(role, 'tag-role');
}

/* ------------------------------------------------------------------ */
/* Forms                                                                */

// A labelled control with a hint and an error line (#<id>-error).
// control: an <input>/<select> built by the caller, with its id.
export function field(labelKey, control, { hintKey = null, hintVars = null, optional = false } = {}) {
  const id = control.id;
  const hint = hintKey ? h('p', { class: 'field-hint', id: `${id}-hint`, i18n: hintKey, vars: hintVars }) : null;
  const err = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true });
  if (hint) control.setAttribute('aria-describedby', `${id}-hint`);
  return h('div', { class: 'field' },
    h('label', { for: id },
      h('span', { i18n: labelKey }),
      optional ? h('span', { class: 'field-optional', i18n: 'common.optional' }) : null),
    control, hint, err);
}

export function input(id, attrs = {}) {
  return h('input', { id, name: id, type: 'text', 'data-testid': id, ...attrs });
}

// options: [[value, i18nKey], ...] or [[value, null, text], ...]
export function select(id, options, attrs = {}) {
  const s = h('select', { id, name: id, 'data-testid': id, ...attrs });
  setOptions(s, options);
  return s;
}

export function setOptions(sel, options) {
  const keep = sel.value;
  sel.replaceChildren(...options.map(([value, key, text]) =>
    h('option', { value, i18n: key || null, text: key ? null : text })));
  applyI18n(sel);
  if (options.some(([v]) => v === keep)) sel.value = keep;
}

// Shows err next to its field when the envelope names one the form has
// (fields: API field name -> input element), else in the form's alert.
// Returns the element the message went to.
export function showFormError(err, fields, alertEl, ctx) {
  const target = err && err.field && fields[err.field];
  if (target) {
    const line = document.getElementById(`${target.id}-error`);
    // "<ctx>.field.<name>.err.<code>" first: e.g. a login already taken.
    const fctx = `${ctx}.field.${err.field}`;
    showError(line, err, errorKey(err, fctx) ? fctx : ctx);
    target.setAttribute('aria-invalid', 'true');
    const hint = target.getAttribute('aria-describedby') || '';
    if (!hint.includes(line.id)) target.setAttribute('aria-describedby', `${hint} ${line.id}`.trim());
    target.focus();
    return line;
  }
  showError(alertEl, err, ctx);
  return alertEl;
}

export function clearFormErrors(form) {
  for (const line of form.querySelectorAll('.field-error, .form-error')) clearError(line);
  for (const c of form.querySelectorAll('[aria-invalid]')) {
    c.removeAttribute('aria-invalid');
    const d = (c.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && !x.endsWith('-error'));
    if (d.length) c.setAttribute('aria-describedby', d.join(' '));
    else c.removeAttribute('aria-describedby');
  }
}

// Marks a required field left empty; true when it was.
export function requireValue(control, alertFor) {
  if (String(control.value).trim() !== '') return false;
  const line = document.getElementById(`${control.id}-error`);
  showError(line, alertFor || 'err.missing_field');
  control.setAttribute('aria-invalid', 'true');
  return true;
}

export function setBusy(button, on, busyKey, idleKey) {
  button.disabled = on;
  if (busyKey) {
    button.setAttribute('data-i18n', on ? busyKey : idleKey);
    applyI18n(button);
  }
}

// A transient "saved" note (role=status) that clears itself.
export function flash(el, key, vars) {
  el.setAttribute('data-i18n', key);
  if (vars) el.setAttribute('data-i18n-vars', JSON.stringify(vars));
  else el.removeAttribute('data-i18n-vars');
  applyI18n(el);
  el.hidden = false;
  clearTimeout(el._wgTimer);
  el._wgTimer = setTimeout(() => { el.hidden = true; }, 6000);
}

/* ------------------------------------------------------------------ */
/* Paged lists                                                          */

// Loads pages of a list into `list` and offers "Load more" while the API
// gives a next_cursor. fetchPage(cursor) -> {items, next_cursor};
// renderItem(item) -> Node. Stale answers (after reload or cleanup) are
// dropped. Returns { reload(), prepend(node), destroy(), count() }.
export function pager({ list, more, empty, error, status, fetchPage, renderItem }) {
  let seq = 0;
  let cursor = null;
  let n = 0;

  const setStatus = (key) => {
    if (!status) return;
    status.hidden = !key;
    if (key) { status.setAttribute('data-i18n', key); applyI18n(status); }
  };

  async function load(reset) {
    const mine = ++seq;
    if (reset) { cursor = null; n = 0; }
    more.hidden = true;
    clearError(error);
    setStatus('common.loading');
    if (reset) list.setAttribute('aria-busy', 'true');
    try {
      const page = await fetchPage(reset ? null : cursor);
      if (mine !== seq) return;
      const items = (page && Array.isArray(page.items)) ? page.items : [];
      const nodes = items.map(renderItem);
      if (reset) list.replaceChildren(...nodes);
      else list.append(...nodes);
      for (const node of nodes) applyI18n(node);
      n += items.length;
      cursor = page && page.next_cursor ? page.next_cursor : null;
      more.hidden = !cursor;
      if (empty) empty.hidden = n > 0;
    } catch (err) {
      if (mine !== seq || (err && err.name === 'AbortError')) return;
      if (reset) list.replaceChildren();
      if (empty) empty.hidden = true;
      showError(error, err);
      more.hidden = !cursor || reset;
    } finally {
      if (mine === seq) {
        setStatus(null);
        list.removeAttribute('aria-busy');
      }
    }
  }

  more.addEventListener('click', () => load(false));
  return {
    reload: () => load(true),
    prepend(node) {
      list.prepend(node);
      applyI18n(node);
      n += 1;
      if (empty) empty.hidden = true;
    },
    count: () => n,
    destroy() { seq = -1; }
  };
}

// "/api/v1/users?q=a&role=" minus the empty values.
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && v !== undefined && String(v) !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/* ------------------------------------------------------------------ */
/* Time: shown and entered in Beijing time, sent in UTC                 */

const TZ = 'Asia/Shanghai';
let fmt = null;

// "2024-05-01 10:02:03" in Asia/Shanghai, whatever the device's zone.
export function formatTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso || '');
  fmt = fmt || new Intl.DateTimeFormat('en-CA', {
    timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23'
  });
  const p = Object.fromEntries(fmt.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

// A datetime-local value ("2024-05-01T10:00"), read as Beijing time (UTC+8,
// no daylight saving), as RFC 3339 UTC ("2024-05-01T02:00:00Z"); '' if empty
// or malformed.
export function localToUtc(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value || '');
  if (!m) return '';
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - 8, +m[5], +(m[6] || 0));
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
