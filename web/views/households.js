// views/households.js — households: the list used by the register and the
// grid worker's landing, the "add household" form, and the household page
// #/households/ID with its members, the add-member form and the edit form
// (address and tags, with the version the page was loaded at).

import { api, route, showError, clearError, newIdempotencyKey } from '../app.js';
import { can } from '../session.js';
import {
  h, tr, field, input, select, showFormError, clearFormErrors, requireValue, setBusy, flash, pager, withQuery
} from './util.js';
import {
  RELATIONS, ID_TYPES, householdHead, householdRow, householdHref, personHead, personRow, tagBoxes, tagChips,
  tagsSettled, areaLabel, areaSelect, dash, forgetStats
} from './reg.js';

/* ------------------------------------------------------------------ */
/* The list                                                             */

// A paged household list. params() -> {area, address, tag}.
// Answers { el, reload(), destroy() }.
export function buildHouseholdList(params) {
  const rows = h('tbody', { id: 'household-rows' });
  const table = h('table', { class: 'data-table household-table', id: 'household-list', 'data-testid': 'household-list', 'aria-labelledby': 'households-title' },
    householdHead(), rows);
  const more = h('button', { type: 'button', class: 'btn btn-block-phone', id: 'households-more', 'data-testid': 'households-more', i18n: 'common.more', hidden: true });
  const empty = h('p', { class: 'empty', id: 'households-empty', i18n: 'hh.empty', hidden: true });
  const error = h('p', { class: 'form-error', id: 'households-error', role: 'alert', hidden: true });
  const status = h('p', { class: 'loading small', role: 'status', hidden: true });
  const p = pager({
    list: rows, more, empty, error, status,
    fetchPage: async (cursor) => {
      await tagsSettled();
      return api('GET', withQuery('/api/v1/households', { ...params(), cursor }));
    },
    renderItem: householdRow
  });
  return {
    el: h('div', { class: 'household-list-wrap' }, h('div', { class: 'table-wrap' }, table), empty, status, error, more),
    reload: () => p.reload(),
    destroy: () => p.destroy()
  };
}

/* ------------------------------------------------------------------ */
/* Adding a household                                                   */

// A button (#household-add) that opens the form. area: a fixed area code
// (the grid worker's grid), or null to offer a select of the areas in
// scope, starting at defaultArea(). The new household opens on creation.
export function buildHouseholdAdd({ area = null, defaultArea = () => '' } = {}) {
  const toggle = h('button', {
    type: 'button', class: 'btn btn-primary btn-add', id: 'household-add', 'data-testid': 'household-add',
    'aria-expanded': 'false', 'aria-controls': 'household-form'
  }, h('span', { class: 'btn-plus', 'aria-hidden': 'true', text: '+' }), h('span', { i18n: 'hh.add' }));
  const areaSel = area ? null : select('household-form-area', []);
  const areas = areaSel ? areaSelect(areaSel, { rootKey: 'reg.area.option', childKey: 'reg.area.option' }) : null;
  const address = input('household-form-address', { required: true, maxlength: '200', autocomplete: 'off', i18nPh: 'hh.field.address.ph' });
  const tags = tagBoxes('household-form-tags', 'household');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'household-form-submit', 'data-testid': 'household-form-submit', i18n: 'hh.add.submit' });
  const cancel = h('button', { type: 'button', class: 'btn', id: 'household-form-cancel', i18n: 'common.cancel' });
  const alert = h('p', { class: 'form-error', id: 'household-form-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'form card add-form', id: 'household-form', 'data-testid': 'household-form', novalidate: true, hidden: true, 'aria-labelledby': 'household-form-title' },
    h('h2', { class: 'card-title', id: 'household-form-title', i18n: 'hh.add.title' }),
    areaSel ? field('hh.field.area', areaSel) : null,
    field('hh.field.address', address, { hintKey: 'hh.field.address.hint' }),
    tags.el,
    alert,
    h('div', { class: 'form-actions' }, submit, cancel));

  const open = (on) => {
    form.hidden = !on;
    toggle.setAttribute('aria-expanded', on ? 'true' : 'false');
    if (on) {
      if (areaSel) {
        areas.ready.then(() => {
          const want = defaultArea();
          if (want && areaSel.querySelector(`option[value="${CSS.escape(want)}"]`)) areaSel.value = want;
        }).catch((err) => showError(alert, err));
      }
      address.focus();
    }
  };
  toggle.addEventListener('click', () => open(form.hidden));
  cancel.addEventListener('click', () => { open(false); toggle.focus(); });
  if (areaSel) areaSel.addEventListener('change', () => areas.expand(areaSel.value));

  let key = null;
  let last = '';
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (submit.disabled) return;
    clearFormErrors(form);
    if (requireValue(address)) { address.focus(); return; }
    const body = { area_code: area || areaSel.value, address: address.value.trim() };
    const t = tags.values();
    if (t.length) body.tags = t;
    const sig = JSON.stringify(body);
    if (sig !== last) { key = newIdempotencyKey(); last = sig; }
    setBusy(submit, true, 'common.saving', 'hh.add.submit');
    try {
      const created = await api('POST', '/api/v1/households', body, { idempotencyKey: key });
      last = '';
      forgetStats();
      window.location.hash = householdHref(created.id);
    } catch (err) {
      showFormError(err, { address, area_code: areaSel || address, tags: tags.group }, alert, 'register');
    } finally {
      setBusy(submit, false, 'common.saving', 'hh.add.submit');
    }
  });
  return h('div', { class: 'household-add' }, toggle, form);
}

/* ------------------------------------------------------------------ */
/* The household page                                                   */

const householdPath = (id) => `/api/v1/households/${encodeURIComponent(id)}`;

function viewHousehold(view, params) {
  const write = can('register.write');
  let alive = true;
  let hh = null;

  const back = h('a', { class: 'back-link', id: 'household-back', href: '#/register', i18n: 'hh.back' });
  const title = h('h1', { class: 'view-title', id: 'household-title', tabindex: '-1', i18n: 'hh.title' });
  const loading = h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', { i18n: 'common.loading' }));
  const loadError = h('p', { class: 'form-error', id: 'household-load-error', role: 'alert', hidden: true });
  const body = h('div', { class: 'detail-layout', hidden: true });
  view.append(h('section', { class: 'view view-household', 'aria-labelledby': 'household-title' },
    back, title, loading, loadError, body));

  const facts = h('dl', { class: 'facts', id: 'household-facts' });
  const saved = h('p', { class: 'form-ok', id: 'household-saved', role: 'status', hidden: true });
  const editBtn = write ? h('button', { type: 'button', class: 'btn btn-small', id: 'household-edit', 'data-testid': 'household-edit', 'aria-expanded': 'false', 'aria-controls': 'household-edit-form', i18n: 'common.edit' }) : null;
  const edit = write ? buildHouseholdEdit(() => hh, (fresh) => { show(fresh); flash(saved, 'reg.saved'); showEdit(false); }, async () => { await load(); edit.fill(hh); }) : null;
  const card = h('div', { class: 'card detail-card', id: 'household-card', 'data-testid': 'household-card' },
    h('div', { class: 'card-head' }, h('h2', { class: 'card-title', i18n: 'hh.facts' }), editBtn),
    facts, saved, edit ? edit.form : null);
  const showEdit = (on) => {
    if (!edit) return;
    edit.form.hidden = !on;
    editBtn.setAttribute('aria-expanded', on ? 'true' : 'false');
    if (on) { edit.fill(hh); edit.focus(); }
  };
  if (editBtn) editBtn.addEventListener('click', () => showEdit(edit.form.hidden));

  const rows = h('tbody', { id: 'member-rows' });
  const members = h('table', { class: 'data-table member-table', id: 'member-list', 'data-testid': 'member-list', 'aria-labelledby': 'members-title' },
    personHead('members'), rows);
  const membersEmpty = h('p', { class: 'empty', id: 'members-empty', i18n: 'hh.members.empty', hidden: true });
  const membersSection = h('section', { class: 'members', 'aria-labelledby': 'members-title' },
    h('h2', { class: 'section-title', id: 'members-title', i18n: 'hh.members' }),
    h('div', { class: 'table-wrap' }, members), membersEmpty);
  const memberForm = write ? buildMemberForm(() => hh, () => load()) : null;
  body.append(h('div', { class: 'detail-main' }, card, membersSection),
    memberForm ? h('div', { class: 'detail-side' }, memberForm.el) : null);

  function show(x) {
    hh = x;
    title.removeAttribute('data-i18n');
    title.textContent = x.address;
    facts.replaceChildren(
      h('dt', { i18n: 'hh.field.address' }), h('dd', { id: 'household-address', text: x.address }),
      h('dt', { i18n: 'hh.field.area' }), h('dd', { id: 'household-area' }, areaLabel(x.area)),
      h('dt', { i18n: 'hh.col.head' }), h('dd', { id: 'household-head' }, x.head_name ? h('span', { text: x.head_name }) : dash()),
      h('dt', { i18n: 'hh.col.members' }), h('dd', { id: 'household-count', i18n: 'hh.members.n', vars: { n: x.member_count ?? 0 } }),
      h('dt', { i18n: 'reg.field.tags' }), h('dd', { id: 'household-tags' }, tagChips(x.tags)),
      h('dt', { i18n: 'hh.field.notes' }), h('dd', { id: 'household-notes' }, x.notes ? h('span', { text: x.notes }) : dash()));
    const list = Array.isArray(x.members) ? x.members : [];
    rows.replaceChildren(...list.map((p) => personRow(p, 'members')));
    membersEmpty.hidden = list.length > 0;
    if (memberForm) memberForm.update(list.length);
    tr(body);
  }

  async function load() {
    clearError(loadError);
    try {
      const [x] = await Promise.all([api('GET', householdPath(params.id)), tagsSettled()]);
      if (!alive) return;
      loading.remove();
      body.hidden = false;
      show(x);
    } catch (err) {
      if (!alive) return;
      loading.remove();
      showError(loadError, err, 'household');
    }
  }
  load();
  return () => { alive = false; };
}

function buildHouseholdEdit(getHousehold, onSaved, reload) {
  const address = input('household-edit-address', { required: true, maxlength: '200', autocomplete: 'off' });
  const notes = input('household-edit-notes', { maxlength: '1000', autocomplete: 'off' });
  const tags = tagBoxes('household-edit-tags', 'household');
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'household-edit-save', 'data-testid': 'household-edit-save', i18n: 'common.save' });
  const alert = h('p', { class: 'form-error', id: 'household-edit-error', role: 'alert', hidden: true });
  const refresh = h('button', { type: 'button', class: 'btn btn-small', id: 'household-edit-reload', i18n: 'reg.reload', hidden: true });
  const form = h('form', { class: 'form inline-form', id: 'household-edit-form', 'data-testid': 'household-edit-form', novalidate: true, hidden: true },
    field('hh.field.address', address),
    field('hh.field.notes', notes, { optional: true }),
    tags.el, alert, refresh,
    h('div', { class: 'form-actions' }, save));
  refresh.addEventListener('click', () => { clearFormErrors(form); refresh.hidden = true; reload(); });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    refresh.hidden = true;
    if (requireValue(address)) { address.focus(); return; }
    const hh = getHousehold();
    const body = { version: hh.version, address: address.value.trim(), notes: notes.value.trim(), tags: tags.values() };
    setBusy(save, true, 'common.saving', 'common.save');
    try {
      onSaved(await api('PATCH', householdPath(hh.id), body));
    } catch (err) {
      showFormError(err, { address, notes, tags: tags.group }, alert, 'register');
      if (err.status === 409 && err.field === 'version') refresh.hidden = false;
    } finally {
      setBusy(save, false, 'common.saving', 'common.save');
    }
  });
  return {
    form,
    fill(hh) {
      clearFormErrors(form);
      refresh.hidden = true;
      address.value = hh.address || '';
      notes.value = hh.notes || '';
      tags.set(hh.tags);
    },
    focus: () => address.focus()
  };
}

// The add-member form: POST /api/v1/persons with the household's id.
function buildMemberForm(getHousehold, onAdded) {
  const name = input('member-name', { required: true, maxlength: '50', autocomplete: 'off' });
  const relation = select('member-relation', [['', 'relation.none'], ...RELATIONS.map((r) => [r, `relation.${r}`])]);
  const idType = select('member-id-type', ID_TYPES.map((t) => [t, `idtype.${t}`]));
  const idNumber = input('member-id-number', { maxlength: '30', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', inputmode: 'text' });
  const phone = input('member-phone', { type: 'tel', inputmode: 'tel', maxlength: '30', autocomplete: 'off' });
  const sex = select('member-sex', [['', 'sex.unknown'], ['M', 'sex.M'], ['F', 'sex.F']]);
  const birth = input('member-birth', { type: 'date', max: '9999-12-31' });
  const tags = tagBoxes('member-tags', 'person');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'member-submit', 'data-testid': 'member-submit', i18n: 'hh.member.submit' });
  const alert = h('p', { class: 'form-error', id: 'member-form-error', role: 'alert', hidden: true });
  const ok = h('p', { class: 'form-ok', id: 'member-form-ok', role: 'status', hidden: true });
  const derived = h('p', { class: 'field-hint', id: 'member-derived', i18n: 'person.edit.derived', hidden: true });
  const extra = h('div', { class: 'derived-fields', id: 'member-extra' },
    field('person.field.sex', sex, { optional: true }),
    field('person.field.birth', birth, { optional: true }));
  const form = h('form', { class: 'form card add-form', id: 'member-form', 'data-testid': 'member-form', novalidate: true, 'aria-labelledby': 'member-form-title' },
    h('h2', { class: 'card-title', id: 'member-form-title', i18n: 'hh.member.title' }),
    field('person.field.name', name),
    field('person.field.relation', relation, { optional: true }),
    field('person.field.id_type', idType),
    field('person.field.id_number', idNumber, { optional: true, hintKey: 'hh.member.id.hint' }),
    derived, extra,
    field('person.field.phone', phone, { optional: true }),
    tags.el, alert, ok, submit);

  // A resident ID decides sex and birth date: the fields then go away.
  const sync = () => {
    const d = idType.value === 'resident_id' && idNumber.value.trim() !== '';
    extra.hidden = d;
    derived.hidden = !d;
  };
  idNumber.addEventListener('input', sync);
  idType.addEventListener('change', sync);

  let key = null;
  let last = '';
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (submit.disabled) return;
    clearFormErrors(form);
    ok.hidden = true;
    if (requireValue(name)) { name.focus(); return; }
    const hh = getHousehold();
    const body = { name: name.value.trim(), household_id: hh.id };
    if (relation.value) body.relation = relation.value;
    if (idNumber.value.trim()) {
      body.id_type = idType.value;
      body.id_number = idNumber.value.trim();
    }
    if (!extra.hidden) {
      if (sex.value) body.sex = sex.value;
      if (birth.value) body.birth_date = birth.value;
    }
    if (phone.value.trim()) body.phone = phone.value.trim();
    const t = tags.values();
    if (t.length) body.tags = t;
    const sig = JSON.stringify(body);
    if (sig !== last) { key = newIdempotencyKey(); last = sig; }
    setBusy(submit, true, 'common.saving', 'hh.member.submit');
    try {
      const p = await api('POST', '/api/v1/persons', body, { idempotencyKey: key });
      last = '';
      forgetStats();
      for (const c of [name, idNumber, phone, birth]) c.value = '';
      relation.value = '';
      sex.value = '';
      tags.set([]);
      sync();
      flash(ok, 'hh.member.done', { name: p.name });
      await onAdded(p);
      name.focus();
    } catch (err) {
      showFormError(err, {
        name, relation, id_type: idType, id_number: idNumber, phone, sex, birth_date: birth, tags: tags.group
      }, alert, 'register');
    } finally {
      setBusy(submit, false, 'common.saving', 'hh.member.submit');
    }
  });
  return {
    el: form,
    // The first member is most likely the head of the household.
    update(count) {
      if (!count && !relation.value) relation.value = 'head';
    }
  };
}

route('/households/:id', viewHousehold, { nav: 'register', title: 'hh.title', perm: 'register.read' });
