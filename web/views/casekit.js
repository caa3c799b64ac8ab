// views/casekit.js — what the cases pages share: state, action and source
// labels, the categories (named in both languages), due times with a
// countdown, photo upload with thumbnails, a photo grid that opens full
// size, and the unread counts on the navigation's "Cases" entry.

import { api, applyI18n } from '../app.js';
import { defineMessage, has } from '../i18n.js';
import { getSession } from '../session.js';
import { h, tr, formatTime } from './util.js';

export const STATES = ['submitted', 'dispatched', 'signed', 'returned', 'resolved', 'rated', 'closed'];
export const SOURCES = ['resident', 'grid_worker', 'hotline', 'window', 'api', 'open311'];
export const RETURN_REASONS = ['not_our_area', 'not_our_duty', 'overlapping_duties'];
export const OUTCOMES = ['resolved', 'partly', 'not'];
export const SATISFACTIONS = ['satisfied', 'basically_satisfied', 'unsatisfied'];

export const caseHref = (id) => `#/cases/${encodeURIComponent(id)}`;

// A label from a known key, else the server's word as it is.
function known(prefix, value, cls) {
  const key = `${prefix}.${value}`;
  return has(key) ? h('span', { class: cls, i18n: key }) : h('span', { class: cls, text: value || '—' });
}

export function stateBadge(state, id = null) {
  return h('span', { class: `case-state case-state-${STATES.includes(state) ? state : 'other'}`, id, 'data-state': state },
    known('case.state', state, null));
}

export const actionLabel = (a) => known('case.action', a, 'case-action');
export const sourceLabel = (s) => known('case.source', s, 'case-source');

/* ------------------------------------------------------------------ */
/* Categories                                                           */

let categoriesPromise = null;

function listOf(d) {
  if (Array.isArray(d)) return d;
  return d && Array.isArray(d.items) ? d.items : [];
}

// The active categories [{code, parent_code, name_zh, name_en, description,
// urgent, fields}], each named as the message "cat.<code>". The public
// route first (a resident has no account); a signed-in caller may fall back
// on the configuration route, which answers the same shape.
export function loadCategories() {
  if (!categoriesPromise) {
    categoriesPromise = (async () => {
      let d;
      try {
        d = await api('GET', '/api/v1/public/case-categories');
      } catch (err) {
        if (err.status !== 404 || getSession().status !== 'in') throw err;
        d = await api('GET', '/api/v1/case-categories');
      }
      const items = listOf(d).filter((c) => c && typeof c.code === 'string' && c.active !== false);
      for (const c of items) defineMessage(`cat.${c.code}`, c.name_zh || c.code, c.name_en || c.name_zh || c.code);
      return items;
    })();
    categoriesPromise.catch(() => { categoriesPromise = null; });
  }
  return categoriesPromise;
}

// A category as a case or list item carries it ({code, name_zh, name_en?}).
export function categoryLabel(cat) {
  if (!cat) return h('span', { text: '—' });
  if (has(`cat.${cat.code}`)) return h('span', { class: 'case-cat', i18n: `cat.${cat.code}` });
  if (cat.name_zh) defineMessage(`cat.${cat.code}`, cat.name_zh, cat.name_en || cat.name_zh);
  return h('span', { class: 'case-cat', i18n: cat.name_zh ? `cat.${cat.code}` : null, text: cat.name_zh ? null : cat.code });
}

// The categories a reporter picks from: those without children.
export function leafCategories(items) {
  const parents = new Set(items.map((c) => c.parent_code).filter(Boolean));
  return items.filter((c) => !parents.has(c.code));
}

/* ------------------------------------------------------------------ */
/* Due times                                                            */

// "3 h 20 min left" or "overdue by 2 h", from now to due.
export function countdown(dueIso, now = Date.now()) {
  const due = Date.parse(dueIso || '');
  if (Number.isNaN(due)) return null;
  const late = now > due;
  let min = Math.round(Math.abs(due - now) / 60000);
  const d = Math.floor(min / 1440);
  min -= d * 1440;
  const hrs = Math.floor(min / 60);
  min -= hrs * 60;
  const key = d > 0 ? 'dhm' : hrs > 0 ? 'hm' : 'm';
  return h('span', {
    class: `countdown${late ? ' is-late' : ''}`, 'data-due': dueIso,
    i18n: `case.due.${late ? 'late' : 'left'}.${key}`, vars: { d, h: hrs, m: min }
  });
}

export function dueLine(dueIso) {
  if (!dueIso) return null;
  return h('span', { class: 'case-due' },
    h('span', { class: 'muted small', i18n: 'case.due', vars: { time: formatTime(dueIso) } }), ' ', countdown(dueIso));
}

/* ------------------------------------------------------------------ */
/* Photos                                                               */

const PHOTO_MAX_EDGE = 1600;
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

// A phone camera's photo is several megabytes: send at most 1600 px on the
// long edge as JPEG. Small files and unreadable ones go as they are.
async function shrink(file) {
  if (!PHOTO_TYPES.includes(file.type) || typeof createImageBitmap !== 'function') return file;
  let bmp;
  try {
    bmp = await createImageBitmap(file);
  } catch {
    return file;
  }
  const scale = Math.min(1, PHOTO_MAX_EDGE / Math.max(bmp.width, bmp.height));
  if (scale === 1 && file.size < 1500000) { bmp.close(); return file; }
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bmp.width * scale);
  canvas.height = Math.round(bmp.height * scale);
  canvas.getContext('2d').drawImage(bmp, 0, 0, canvas.width, canvas.height);
  bmp.close();
  const blob = await new Promise((res) => canvas.toBlob(res, 'image/jpeg', 0.85));
  return blob || file;
}

export async function uploadPhoto(file) {
  const body = await shrink(file);
  return api('POST', '/api/v1/photos', undefined, { raw: body, contentType: body.type || file.type, timeout: 60000 });
}

// A camera button, the photos taken so far as thumbnails (each uploaded
// at once, one by one, and removable), and an error line. max: how many.
export function photoPicker(id, { max = 9 } = {}) {
  const inputEl = h('input', {
    id, type: 'file', accept: 'image/*', capture: 'environment', multiple: true,
    class: 'sr-only', 'data-testid': id
  });
  const button = h('label', { for: id, class: 'btn photo-add', id: `${id}-button` },
    h('span', { class: 'photo-add-icon', 'aria-hidden': 'true', text: '＋' }), h('span', { i18n: 'case.photos.add' }));
  const thumbs = h('ul', { class: 'photo-thumbs', id: `${id}-list` });
  const err = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true });
  const el = h('div', { class: 'field photo-field' },
    h('span', { class: 'field-label' }, h('span', { i18n: 'case.photos' }), h('span', { class: 'field-optional', i18n: 'common.optional' })),
    thumbs, button, inputEl, err);
  const items = []; // {sha, state: 'up'|'ok'|'fail', li, url}
  let queue = Promise.resolve();

  const say = (key) => {
    err.hidden = !key;
    if (key) { err.setAttribute('data-i18n', key); applyI18n(err); }
  };
  const sync = () => { button.hidden = items.length >= max; };

  function add(file) {
    const url = URL.createObjectURL(file);
    const item = { sha: null, state: 'up', url };
    const status = h('span', { class: 'photo-status', i18n: 'case.photos.uploading' });
    const remove = h('button', { type: 'button', class: 'photo-remove', i18nAria: 'case.photos.remove', text: '×' });
    item.li = tr(h('li', { class: 'photo-thumb is-uploading' }, h('img', { src: url, alt: '' }), status, remove));
    remove.addEventListener('click', () => {
      const i = items.indexOf(item);
      if (i >= 0) items.splice(i, 1);
      item.li.remove();
      URL.revokeObjectURL(url);
      sync();
    });
    items.push(item);
    thumbs.append(item.li);
    sync();
    queue = queue.then(async () => {
      if (!items.includes(item)) return;
      try {
        const r = await uploadPhoto(file);
        item.sha = r && r.sha256;
        item.state = item.sha ? 'ok' : 'fail';
      } catch (e) {
        item.state = 'fail';
        say(e.status === 404 || e.status === 405 ? 'case.photos.unavailable' : 'case.photos.failed');
      }
      item.li.classList.remove('is-uploading');
      item.li.classList.toggle('is-failed', item.state === 'fail');
      status.setAttribute('data-i18n', item.state === 'ok' ? 'case.photos.done' : 'case.photos.failed.one');
      applyI18n(status);
      if (item.li.isConnected && item.sha) item.li.setAttribute('data-sha', item.sha);
    });
  }

  inputEl.addEventListener('change', () => {
    say(null);
    for (const f of Array.from(inputEl.files || [])) {
      if (items.length >= max) { say('case.photos.too_many'); break; }
      if (!f.type.startsWith('image/')) { say('case.photos.not_image'); continue; }
      add(f);
    }
    inputEl.value = '';
  });
  return {
    el,
    // The uploaded photos' addresses; failed ones are left out.
    shas: () => items.filter((i) => i.state === 'ok' && i.sha).map((i) => i.sha),
    busy: () => items.some((i) => i.state === 'up'),
    settled: () => queue,
    clear() {
      for (const i of items) URL.revokeObjectURL(i.url);
      items.length = 0;
      thumbs.replaceChildren();
      say(null);
      sync();
    }
  };
}

// Photos as a grid of thumbnails; a tap opens one full size in a dialog.
export function photoGrid(photos, id = null) {
  const list = Array.isArray(photos) ? photos.filter((p) => p && p.url) : [];
  if (!list.length) return null;
  const big = h('img', { class: 'photo-big', alt: '' });
  const dialog = h('dialog', { class: 'dialog photo-dialog' },
    h('form', { method: 'dialog', class: 'photo-dialog-bar' },
      h('button', { type: 'submit', class: 'dialog-close', i18nAria: 'common.close', text: '×' })), big);
  const grid = h('ul', { class: 'photo-grid', id },
    list.map((p, i) => h('li', {},
      h('button', {
        type: 'button', class: 'photo-open', i18nAria: 'case.photos.open', vars: { n: i + 1 },
        on: { click: () => { big.src = p.url; if (dialog.showModal) dialog.showModal(); else window.open(p.url); } }
      }, h('img', { src: p.url, alt: '', loading: 'lazy' })))));
  return h('div', { class: 'photo-block' }, grid, dialog);
}

/* ------------------------------------------------------------------ */
/* Unread counts on the navigation                                      */

let counts = null;
let countsSeq = 0;

function paintCounts() {
  const link = document.getElementById('nav-cases');
  if (!link) return;
  let dot = link.querySelector('.nav-count');
  const unread = counts ? Object.values(counts).reduce((n, c) => n + (c && c.unread ? c.unread : 0), 0) : 0;
  if (!unread) { if (dot) dot.remove(); return; }
  if (!dot) {
    dot = h('span', { class: 'nav-count', id: 'nav-cases-count', 'data-testid': 'nav-cases-count' });
    link.append(dot);
  }
  dot.textContent = unread > 99 ? '99+' : String(unread);
  dot.setAttribute('data-i18n-aria-label', 'case.nav.unread');
  dot.setAttribute('data-i18n-vars', JSON.stringify({ n: unread }));
  applyI18n(dot);
}

// Asks for the caller's inbox counts; resolves to them (or null).
export async function refreshCounts() {
  const s = getSession();
  const mine = ++countsSeq;
  if (s.status !== 'in' || !s.permissions.has('cases.read')) {
    counts = null;
    paintCounts();
    return null;
  }
  try {
    const d = await api('GET', '/api/v1/cases/inboxes');
    if (mine !== countsSeq) return counts;
    counts = d && typeof d === 'object' ? d : null;
  } catch {
    if (mine === countsSeq) counts = null;
  }
  paintCounts();
  return counts;
}

export const lastCounts = () => counts;

document.addEventListener('wg:session-state', (ev) => {
  if (ev.detail && (ev.detail.status === 'in' || ev.detail.status === 'out')) refreshCounts();
});
// The navigation is rebuilt on session changes: paint the known counts again.
document.addEventListener('wg:route', paintCounts);
window.setInterval(() => { if (document.visibilityState === 'visible' && counts) refreshCounts(); }, 60000);
