// views/reg.js — what the register pages share: the configured tags (GET
// /api/v1/tags, loaded once per page load and named in both languages), the
// labels of relations, statuses, sexes and ID types, the person search's
// choice of what was typed, the area select filled from the register counts,
// and the rows of the household and person lists.

import { api } from '../app.js';
import { defineMessage, has } from '../i18n.js';
import { h, tr, setOptions, withQuery } from './util.js';

export const RELATIONS = ['head', 'spouse', 'child', 'parent', 'grandchild', 'sibling', 'other'];
export const STATUSES = ['living', 'moved_out', 'deceased'];
export const ID_TYPES = ['resident_id', 'passport', 'hk_macao_permit', 'taiwan_permit', 'foreign_permanent'];

export const householdHref = (id) => `#/households/${encodeURIComponent(id)}`;
export const personHref = (id) => `#/persons/${encodeURIComponent(id)}`;

/* ------------------------------------------------------------------ */
/* Tags                                                                 */

let tagsPromise = null;

// [{code, name_zh, name_en, applies_to}]; each becomes the message
// "tag.<code>", so a chip follows language switches like any other text.
export function loadTags() {
  if (!tagsPromise) {
    tagsPromise = api('GET', '/api/v1/tags').then((d) => {
      const items = d && Array.isArray(d.items) ? d.items : [];
      for (const t of items) defineMessage(`tag.${t.code}`, t.name_zh || t.code, t.name_en || t.name_zh || t.code);
      return items;
    });
    tagsPromise.catch(() => { tagsPromise = null; }); // asked again next time
  }
  return tagsPromise;
}

// Resolves once the tag names are known (or could not be had: codes then).
export const tagsSettled = () => loadTags().catch(() => []);

export function tagChip(code) {
  return has(`tag.${code}`)
    ? h('span', { class: 'tag-chip', 'data-tag': code, i18n: `tag.${code}` })
    : h('span', { class: 'tag-chip', 'data-tag': code, text: code });
}

export function tagChips(codes) {
  const list = Array.isArray(codes) ? codes : [];
  return list.length ? h('span', { class: 'tag-chips' }, list.map(tagChip)) : dash();
}

// Check boxes for the tags of one kind ('person' or 'household'), in a
// fieldset with its own error line (#<id>-error) like util.field().
export function tagBoxes(id, appliesTo, selected = []) {
  let want = new Set(selected);
  const group = h('div', { class: 'tag-boxes', id, 'data-testid': id, tabindex: '-1' },
    h('span', { class: 'muted small', i18n: 'common.loading' }));
  const err = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true });
  const el = h('fieldset', { class: 'field tag-field', id: `${id}-field` },
    h('legend', {}, h('span', { i18n: 'reg.field.tags' }), h('span', { class: 'field-optional', i18n: 'common.optional' })),
    group, err);
  loadTags().then((tags) => {
    const mine = tags.filter((t) => t.applies_to === appliesTo);
    group.replaceChildren(...mine.map((t) => h('label', { class: 'tag-box' },
      h('input', { type: 'checkbox', name: id, value: t.code, checked: want.has(t.code) }),
      h('span', { i18n: `tag.${t.code}` }))));
    if (!mine.length) group.append(h('span', { class: 'muted small', i18n: 'reg.tags.none' }));
    tr(group);
  }).catch(() => {
    group.replaceChildren(tr(h('span', { class: 'muted small', i18n: 'reg.tags.unavailable' })));
  });
  return {
    el,
    group,
    values: () => Array.from(group.querySelectorAll('input:checked'), (i) => i.value),
    set(codes) {
      want = new Set(codes || []);
      for (const i of group.querySelectorAll('input')) i.checked = want.has(i.value);
    }
  };
}

// Fills a filter <select> with "all" and the tags of one kind.
export async function fillTagSelect(sel, appliesTo, allKey) {
  const tags = await tagsSettled();
  setOptions(sel, [['', allKey], ...tags.filter((t) => t.applies_to === appliesTo).map((t) => [t.code, `tag.${t.code}`])]);
}

/* ------------------------------------------------------------------ */
/* Labels                                                               */

export function dash() {
  return h('span', { class: 'muted', text: '—' });
}

export function relationLabel(r) {
  if (RELATIONS.includes(r)) return h('span', { class: 'relation', i18n: `relation.${r}` });
  return r ? h('span', { class: 'relation', text: r }) : dash();
}

export function sexLabel(s) {
  return s === 'M' || s === 'F' ? h('span', { class: 'sex', i18n: `sex.${s}` }) : dash();
}

export function statusPill(s, id = null) {
  const known = STATUSES.includes(s);
  return h('span', {
    class: `pstatus pstatus-${known ? s : 'other'}`, id, 'data-status': s,
    i18n: known ? `pstatus.${s}` : null, text: known ? null : (s || '—')
  });
}

export function idTypeLabel(type) {
  return ID_TYPES.includes(type) ? h('span', { i18n: `idtype.${type}` }) : (type ? h('span', { text: type }) : dash());
}

export function areaLabel(a) {
  if (!a) return dash();
  return h('span', { class: 'area-label' },
    h('span', { class: 'area-name-text', text: a.name }), h('span', { class: 'muted small area-code', text: a.code }));
}

const value = (v, cls) => (v ? h('span', { class: cls || null, text: v }) : dash());

/* ------------------------------------------------------------------ */
/* The person search                                                    */

// What a search box holds, as the persons list's parameters: 18 characters
// shaped like a resident ID -> id_number; 11 digits starting with 1 (a
// leading +86 allowed) -> phone; anything else -> a name prefix.
export function personQuery(text) {
  const s = String(text || '').trim();
  if (!s) return { kind: null, params: {} };
  const compact = s.replace(/[\s-]/g, '');
  if (/^\d{17}[\dXx]$/.test(compact)) return { kind: 'id_number', params: { id_number: compact.toUpperCase() } };
  const phone = compact.replace(/^(?:\+86|0086|86)(?=1\d{10}$)/, '');
  if (/^1\d{10}$/.test(phone)) return { kind: 'phone', params: { phone } };
  return { kind: 'name', params: { name: Array.from(s).slice(0, 50).join('') } };
}

/* ------------------------------------------------------------------ */
/* Areas: the counts of the register (GET /api/v1/stats/register)       */

const statsCache = new Map();

// {area, households, persons, children:[{code,name,level,households,persons}]}
export function loadStats(code) {
  const key = code || '';
  if (!statsCache.has(key)) {
    const p = api('GET', withQuery('/api/v1/stats/register', { area: code }));
    statsCache.set(key, p);
    p.catch(() => statsCache.delete(key));
  }
  return statsCache.get(key);
}

// The counts change with every write: the next page asks again.
export function forgetStats() {
  statsCache.clear();
}

// Another user may log in on this tab: nothing of the last scope stays.
document.addEventListener('wg:session-state', (ev) => {
  if (!ev.detail || ev.detail.status !== 'in') forgetStats();
});

function areaOption(a, depth, countsKey) {
  return h('option', {
    value: a.code,
    'data-level': a.level,
    'data-depth': depth,
    i18n: countsKey,
    vars: { indent: '\u3000'.repeat(depth), name: a.name, h: a.households ?? 0, p: a.persons ?? 0 }
  });
}

// Fills sel with the scope root and its children, with their counts, and
// adds an area's children below it when it is chosen (drilling down).
// Answers { ready (a promise), expand(code), stats(code) }.
export function areaSelect(sel, { rootKey = 'reg.area.all', childKey = 'reg.area.option' } = {}) {
  const expanded = new Set();
  const addChildren = (after, stats, depth) => {
    let anchor = after;
    for (const c of stats.children || []) {
      if (sel.querySelector(`option[value="${CSS.escape(c.code)}"]`)) continue;
      const o = areaOption(c, depth, childKey);
      anchor.after(o);
      anchor = o;
    }
    tr(sel);
  };
  const ready = loadStats().then((stats) => {
    const root = { ...stats.area, households: stats.households, persons: stats.persons };
    sel.replaceChildren(areaOption(root, 0, rootKey));
    expanded.add(root.code);
    addChildren(sel.firstElementChild, stats, 1);
    return stats;
  });
  async function expand(code) {
    if (!code || expanded.has(code)) return;
    const opt = sel.querySelector(`option[value="${CSS.escape(code)}"]`);
    if (!opt || ['grid', 'building'].includes(opt.getAttribute('data-level'))) return;
    expanded.add(code);
    try {
      const stats = await loadStats(code);
      addChildren(opt, stats, Number(opt.getAttribute('data-depth') || 0) + 1);
    } catch {
      expanded.delete(code);
    }
  }
  return { ready, expand };
}

/* ------------------------------------------------------------------ */
/* Rows: cards on a phone, a table on a desktop (views.css .data-table) */

export function cell(labelKey, cls, ...content) {
  return h('td', { class: `cell ${cls}` },
    h('span', { class: 'cell-label', i18n: labelKey }),
    h('span', { class: 'cell-value' }, ...content));
}

export function householdHead() {
  return h('thead', {}, h('tr', {},
    ['address', 'head', 'members', 'area', 'tags'].map((c) => h('th', { scope: 'col', i18n: `hh.col.${c}` }))));
}

export function householdRow(hh) {
  return h('tr', { class: 'household-row', 'data-id': hh.id },
    cell('hh.col.address', 'cell-name',
      h('a', { class: 'row-link household-link', href: householdHref(hh.id), text: hh.address })),
    cell('hh.col.head', 'cell-head', value(hh.head_name)),
    cell('hh.col.members', 'cell-members', h('span', { class: 'num', i18n: 'hh.members.n', vars: { n: hh.member_count ?? 0 } })),
    cell('hh.col.area', 'cell-area', areaLabel(hh.area)),
    cell('hh.col.tags', 'cell-tags', tagChips(hh.tags)));
}

const PERSON_COLS = {
  search: ['name', 'sex', 'birth', 'id', 'phone', 'household', 'status', 'tags'],
  members: ['name', 'relation', 'sex', 'birth', 'id', 'phone', 'status', 'tags']
};

export function personHead(kind) {
  return h('thead', {}, h('tr', {}, PERSON_COLS[kind].map((c) => h('th', { scope: 'col', i18n: `person.col.${c}` }))));
}

// kind: 'search' (with the household) or 'members' (with the relation).
export function personRow(p, kind) {
  const cells = {
    name: () => cell('person.col.name', 'cell-name', h('a', { class: 'row-link person-link', href: personHref(p.id), text: p.name })),
    relation: () => cell('person.col.relation', 'cell-relation', relationLabel(p.relation)),
    sex: () => cell('person.col.sex', 'cell-sex', sexLabel(p.sex)),
    birth: () => cell('person.col.birth', 'cell-birth', value(p.birth_date, 'num')),
    id: () => cell('person.col.id', 'cell-id', value(p.id_number, 'masked id-masked')),
    phone: () => cell('person.col.phone', 'cell-phone', value(p.phone, 'masked phone-masked')),
    household: () => cell('person.col.household', 'cell-household', p.household
      ? h('a', { href: householdHref(p.household.id), text: p.household.address })
      : (p.area ? h('span', { class: 'muted', text: p.area.name }) : dash())),
    status: () => cell('person.col.status', 'cell-pstatus', statusPill(p.status)),
    tags: () => cell('person.col.tags', 'cell-tags', tagChips(p.tags))
  };
  return h('tr', { class: `person-row${p.status && p.status !== 'living' ? ' is-inactive' : ''}`, 'data-id': p.id, 'data-status': p.status },
    PERSON_COLS[kind].map((c) => cells[c]()));
}
