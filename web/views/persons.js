// views/persons.js — the person search (a box that takes a name, an ID
// number or a phone and picks which one it is; results as cards on a phone,
// a table on a desktop; CSV/XLSX export of what is shown) and the person
// page #/persons/ID: masked identifiers with an audited reveal, status
// changes and their history, and the edit form.

import { api, route, showError, clearError } from '../app.js';
import { can } from '../session.js';
import {
  h, tr, field, input, select, showFormError, clearFormErrors, requireValue, setBusy, flash,
  pager, withQuery, formatTime
} from './util.js';
import {
  STATUSES, RELATIONS, ID_TYPES, personQuery, personHead, personRow, fillTagSelect, tagBoxes, tagChips,
  tagsSettled, statusPill, relationLabel, sexLabel, idTypeLabel, areaLabel, householdHref, dash, forgetStats
} from './reg.js';

/* ------------------------------------------------------------------ */
/* The search                                                           */

// opts: getArea() -> the area code to search in ('' for the whole scope);
// big: the grid worker's landing (one big box, no filters, no export).
// Answers { el, search(), refresh() (the area changed), destroy() }.
export function buildPersonSearch({ getArea = () => '', big = false } = {}) {
  const q = input('person-search', {
    type: 'search', maxlength: '60', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false',
    enterkeyhint: 'search', i18nPh: 'persons.search.ph', i18nAria: 'persons.search.label'
  });
  const kind = h('p', { class: 'field-hint search-kind', id: 'person-search-kind', 'aria-live': 'polite' });
  const status = big ? null : select('person-status', [['', 'persons.filter.status.all'], ...STATUSES.map((s) => [s, `pstatus.${s}`])], { i18nAria: 'persons.filter.status' });
  const tag = big ? null : select('person-tag', [['', 'persons.filter.tag.all']], { i18nAria: 'persons.filter.tag' });
  if (tag) fillTagSelect(tag, 'person', 'persons.filter.tag.all');
  const form = h('form', { class: `filter-bar person-search-form${big ? ' is-big' : ''}`, id: 'person-search-form', role: 'search', novalidate: true },
    h('div', { class: 'filter-grow' }, q,
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'person-search-submit', 'data-testid': 'person-search-submit', i18n: 'common.search' })),
    status, tag);

  const rows = h('tbody', { id: 'person-rows' });
  const table = h('table', { class: 'data-table person-table', id: 'person-list', 'data-testid': 'person-list', 'aria-labelledby': 'person-results-title' },
    personHead('search'), rows);
  const more = h('button', { type: 'button', class: 'btn btn-block-phone', id: 'persons-more', i18n: 'common.more', hidden: true });
  const empty = h('p', { class: 'empty', id: 'persons-empty', i18n: 'persons.empty', hidden: true });
  const listError = h('p', { class: 'form-error', id: 'persons-error', role: 'alert', hidden: true });
  const busy = h('p', { class: 'loading small', role: 'status', hidden: true });

  // Export: plain links (GET with the session cookie) to the same filters.
  let exportBar = null;
  let reveal = null;
  const csv = h('a', { class: 'btn btn-small', id: 'export-csv', 'data-testid': 'export-csv', download: '', i18n: 'persons.export.csv' });
  const xlsx = h('a', { class: 'btn btn-small', id: 'export-xlsx', 'data-testid': 'export-xlsx', download: '', i18n: 'persons.export.xlsx' });
  if (!big) {
    if (can('persons.reveal')) reveal = h('input', { type: 'checkbox', id: 'export-reveal', 'data-testid': 'export-reveal' });
    exportBar = h('div', { class: 'export-bar', id: 'person-export' },
      h('span', { class: 'muted small export-label', i18n: 'persons.export.label' }), csv, xlsx,
      reveal ? h('label', { class: 'check-inline', for: 'export-reveal' }, reveal, h('span', { i18n: 'persons.export.reveal' })) : null,
      reveal ? h('p', { class: 'field-hint export-note', i18n: 'persons.export.reveal.hint' }) : null);
  }

  const results = h('div', { class: 'person-results', id: 'person-results', hidden: true },
    h('h3', { class: 'sr-only', id: 'person-results-title', i18n: 'persons.results' }),
    h('div', { class: 'table-wrap' }, table), empty, busy, listError, more);
  const el = h('div', { class: 'person-search' }, form, kind, exportBar, results);

  const params = () => ({
    area: getArea(), ...personQuery(q.value).params,
    status: status ? status.value : '', tag: tag ? tag.value : ''
  });
  const updateKind = () => {
    const k = personQuery(q.value).kind;
    kind.hidden = !k;
    if (k) { kind.setAttribute('data-kind', k); kind.setAttribute('data-i18n', `persons.kind.${k}`); tr(kind); }
  };
  const updateExport = () => {
    for (const [a, format] of [[csv, 'csv'], [xlsx, 'xlsx']]) {
      a.setAttribute('href', withQuery('/api/v1/persons/export', { format, ...params(), reveal: reveal && reveal.checked ? 'true' : '' }));
    }
  };

  const p = pager({
    list: rows, more, empty, error: listError, status: busy,
    fetchPage: async (cursor) => {
      await tagsSettled();
      return api('GET', withQuery('/api/v1/persons', { ...params(), cursor }));
    },
    renderItem: (x) => personRow(x, 'search')
  });
  const filtered = () => q.value.trim() !== '' || (status && status.value) || (tag && tag.value);
  const search = () => {
    updateKind();
    updateExport();
    results.hidden = false;
    p.reload();
  };

  let timer = 0;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(timer);
    search();
  });
  q.addEventListener('input', () => {
    updateKind();
    updateExport();
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (filtered()) search();
      else results.hidden = true;
    }, 400);
  });
  for (const s of [status, tag]) if (s) s.addEventListener('change', search);
  if (reveal) reveal.addEventListener('change', updateExport);
  updateKind();
  updateExport();

  return {
    el,
    search,
    refresh() {
      updateExport();
      if (!results.hidden) p.reload();
    },
    destroy() {
      clearTimeout(timer);
      p.destroy();
    }
  };
}

/* ------------------------------------------------------------------ */
/* The person page                                                      */

const personPath = (id) => `/api/v1/persons/${encodeURIComponent(id)}`;

function fact(labelKey, id, ...content) {
  return [h('dt', { i18n: labelKey }), h('dd', { id }, ...content)];
}

function viewPerson(view, params) {
  const write = can('register.write');
  const mayReveal = can('persons.reveal');
  let alive = true;
  let person = null;

  const back = h('a', { class: 'back-link', id: 'person-back', href: '#/register', i18n: 'person.back.register' });
  const title = h('h1', { class: 'view-title', id: 'person-title', tabindex: '-1', i18n: 'person.title' });
  const pill = h('span', { class: 'title-pill', id: 'person-status-pill' });
  const loading = h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', { i18n: 'common.loading' }));
  const loadError = h('p', { class: 'form-error', id: 'person-load-error', role: 'alert', hidden: true });
  const body = h('div', { class: 'detail-layout', hidden: true });
  view.append(h('section', { class: 'view view-person', 'aria-labelledby': 'person-title' },
    back, h('div', { class: 'title-row' }, title, pill), loading, loadError, body));

  // Facts
  const facts = h('dl', { class: 'facts', id: 'person-facts' });
  const revealBtn = mayReveal ? h('button', { type: 'button', class: 'btn btn-small', id: 'reveal-button', 'data-testid': 'reveal-button', i18n: 'person.reveal' }) : null;
  const revealNote = h('p', { class: 'reveal-note', id: 'reveal-note', role: 'status', i18n: 'person.reveal.note', hidden: true });
  const revealError = h('p', { class: 'form-error', id: 'reveal-error', role: 'alert', hidden: true });
  const factsCard = h('div', { class: 'card detail-card', id: 'person-card' },
    h('h2', { class: 'card-title', i18n: 'person.facts' }), facts,
    revealBtn ? h('div', { class: 'form-actions reveal-actions' }, revealBtn) : null, revealNote, revealError);

  // Status
  const statusSel = select('status-select', STATUSES.map((s) => [s, `pstatus.${s}`]));
  const statusNote = input('status-note', { maxlength: '500', autocomplete: 'off', i18nPh: 'person.status.note.ph' });
  const statusSubmit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'status-submit', 'data-testid': 'status-submit', i18n: 'person.status.submit' });
  const statusError = h('p', { class: 'form-error', id: 'status-error', role: 'alert', hidden: true });
  const statusOk = h('p', { class: 'form-ok', id: 'status-ok', role: 'status', hidden: true });
  const statusForm = write ? h('form', { class: 'form', id: 'status-form', 'data-testid': 'status-form', novalidate: true, 'aria-labelledby': 'status-form-title' },
    h('h3', { class: 'sub-title', id: 'status-form-title', i18n: 'person.status.change' }),
    field('person.field.status', statusSel),
    field('person.field.status.note', statusNote, { optional: true }),
    statusError, statusOk, statusSubmit) : null;
  const history = h('ol', { class: 'history', id: 'status-history', 'data-testid': 'status-history' });
  const historyEmpty = h('p', { class: 'empty', id: 'status-history-empty', i18n: 'person.history.empty', hidden: true });
  const statusCard = h('div', { class: 'card detail-card', id: 'person-status-card' },
    h('h2', { class: 'card-title', i18n: 'person.status.title' }), statusForm,
    h('h3', { class: 'sub-title history-title', i18n: 'person.history' }), history, historyEmpty);

  const editBox = write ? buildEditForm(() => person, (p) => { show(p); }, () => load()) : null;
  body.append(h('div', { class: 'detail-main' }, factsCard, editBox ? editBox.el : null),
    h('div', { class: 'detail-side' }, statusCard));

  function show(p, revealed = false) {
    person = p;
    title.removeAttribute('data-i18n');
    title.textContent = p.name;
    pill.replaceChildren(statusPill(p.status));
    if (p.household) {
      back.setAttribute('href', householdHref(p.household.id));
      back.setAttribute('data-i18n', 'person.back.household');
    }
    facts.replaceChildren(
      ...fact('person.field.sex', 'person-sex', sexLabel(p.sex)),
      ...fact('person.field.birth', 'person-birth', p.birth_date ? h('span', { class: 'num', text: p.birth_date }) : dash()),
      ...fact('person.field.id_type', 'person-id-type', p.id_number ? idTypeLabel(p.id_type) : dash()),
      ...fact('person.field.id_number', 'person-id-number', p.id_number ? h('span', { class: revealed ? 'revealed' : 'masked', text: p.id_number }) : dash()),
      ...fact('person.field.phone', 'person-phone', p.phone ? h('span', { class: revealed ? 'revealed' : 'masked', text: p.phone }) : dash()),
      ...fact('person.field.relation', 'person-relation', relationLabel(p.relation)),
      ...fact('person.field.household', 'person-household', p.household
        ? h('a', { href: householdHref(p.household.id), text: p.household.address }) : dash()),
      ...fact('person.field.area', 'person-area', areaLabel(p.area)),
      ...fact('person.field.tags', 'person-tags', tagChips(p.tags)),
      ...fact('person.field.notes', 'person-notes', p.notes ? h('span', { text: p.notes }) : dash()),
      ...fact('person.field.updated', 'person-updated', p.updated_at ? h('time', { datetime: p.updated_at, text: formatTime(p.updated_at) }) : dash()));
    if (revealBtn) revealBtn.hidden = revealed || !(p.id_number || p.phone);
    revealNote.hidden = !revealed;
    if (statusForm) statusSel.value = p.status;
    if (Array.isArray(p.status_history)) {
      history.replaceChildren(...p.status_history.slice().reverse().map((e) => h('li', { class: 'history-item', 'data-status': e.status },
        h('span', { class: 'history-head' }, statusPill(e.status),
          h('time', { class: 'muted small', datetime: e.at, text: formatTime(e.at) }),
          e.by ? h('span', { class: 'muted small', text: e.by }) : null),
        e.note ? h('span', { class: 'history-note', text: e.note }) : null)));
      historyEmpty.hidden = p.status_history.length > 0;
    }
    if (editBox) editBox.fill(p);
    tr(body);
    tr(pill);
    tr(back);
  }

  async function load() {
    clearError(loadError);
    try {
      const [p] = await Promise.all([api('GET', personPath(params.id)), tagsSettled()]);
      if (!alive) return;
      loading.remove();
      body.hidden = false;
      show(p);
    } catch (err) {
      if (!alive) return;
      loading.remove();
      showError(loadError, err, 'person');
    }
  }

  if (revealBtn) {
    revealBtn.addEventListener('click', async () => {
      clearError(revealError);
      setBusy(revealBtn, true);
      try {
        const p = await api('GET', withQuery(personPath(params.id), { reveal: 'id_number,phone' }));
        if (!alive) return;
        show(p, true);
      } catch (err) {
        if (alive) showError(revealError, err, 'person');
      } finally {
        setBusy(revealBtn, false);
      }
    });
  }

  if (statusForm) {
    statusForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFormErrors(statusForm);
      statusOk.hidden = true;
      const bodyJson = { status: statusSel.value };
      if (statusNote.value.trim()) bodyJson.note = statusNote.value.trim();
      setBusy(statusSubmit, true, 'common.saving', 'person.status.submit');
      try {
        await api('POST', `${personPath(params.id)}/status`, bodyJson);
        forgetStats();
        const p = await api('GET', personPath(params.id));
        if (!alive) return;
        statusNote.value = '';
        show(p);
        flash(statusOk, 'person.status.done');
      } catch (err) {
        if (alive) showFormError(err, { status: statusSel, note: statusNote }, statusError, 'register');
      } finally {
        setBusy(statusSubmit, false, 'common.saving', 'person.status.submit');
      }
    });
  }

  load();
  return () => { alive = false; };
}

// The edit form (PATCH with version): the whole person but its
// identifiers; an ID number or phone only when a new one is typed.
function buildEditForm(getPerson, onSaved, reload) {
  const name = input('edit-person-name', { required: true, maxlength: '50', autocomplete: 'off' });
  const relation = select('edit-person-relation', [['', 'relation.none'], ...RELATIONS.map((r) => [r, `relation.${r}`])]);
  const sex = select('edit-person-sex', [['', 'sex.unknown'], ['M', 'sex.M'], ['F', 'sex.F']]);
  const birth = input('edit-person-birth', { type: 'date', max: '9999-12-31' });
  const idType = select('edit-person-id-type', ID_TYPES.map((t) => [t, `idtype.${t}`]));
  const idNumber = input('edit-person-id-number', { maxlength: '30', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', i18nPh: 'reg.keep.ph' });
  const phone = input('edit-person-phone', { type: 'tel', inputmode: 'tel', maxlength: '30', autocomplete: 'off', i18nPh: 'reg.keep.ph' });
  const notes = input('edit-person-notes', { maxlength: '1000', autocomplete: 'off' });
  const tags = tagBoxes('edit-person-tags', 'person');
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'person-edit-save', 'data-testid': 'person-edit-save', i18n: 'common.save' });
  const alert = h('p', { class: 'form-error', id: 'person-edit-error', role: 'alert', hidden: true });
  const refresh = h('button', { type: 'button', class: 'btn btn-small', id: 'person-edit-reload', i18n: 'reg.reload', hidden: true });
  const ok = h('p', { class: 'form-ok', id: 'person-edit-ok', role: 'status', hidden: true });
  const derivedHint = h('p', { class: 'field-hint form-wide', id: 'edit-person-derived', i18n: 'person.edit.derived', hidden: true });
  const form = h('form', { class: 'form form-grid', id: 'person-edit-form', 'data-testid': 'person-edit-form', novalidate: true },
    field('person.field.name', name),
    field('person.field.relation', relation, { optional: true }),
    field('person.field.sex', sex, { optional: true }),
    field('person.field.birth', birth, { optional: true }),
    derivedHint,
    field('person.field.id_type', idType),
    field('person.field.id_number.new', idNumber, { optional: true, hintKey: 'reg.keep.hint' }),
    field('person.field.phone.new', phone, { optional: true, hintKey: 'reg.keep.hint' }),
    field('person.field.notes', notes, { optional: true }),
    h('div', { class: 'form-wide' }, tags.el),
    h('div', { class: 'form-wide' }, alert, refresh, ok, save));
  const el = h('details', { class: 'card create-box', id: 'person-edit', 'data-testid': 'person-edit' },
    h('summary', { class: 'create-summary edit-summary', id: 'person-edit-toggle', i18n: 'person.edit.title' }), form);

  // With a resident ID the number decides sex and birth date.
  const decided = () => {
    const p = getPerson();
    if (idNumber.value.trim()) return idType.value === 'resident_id';
    return !!(p && p.id_number && p.id_type === 'resident_id');
  };
  const syncDerived = () => {
    const d = decided();
    sex.disabled = d;
    birth.disabled = d;
    derivedHint.hidden = !d;
  };
  idNumber.addEventListener('input', syncDerived);
  idType.addEventListener('change', syncDerived);
  refresh.addEventListener('click', () => { clearFormErrors(form); refresh.hidden = true; reload(); });

  function fill(p) {
    name.value = p.name || '';
    relation.value = RELATIONS.includes(p.relation) ? p.relation : '';
    sex.value = p.sex === 'M' || p.sex === 'F' ? p.sex : '';
    birth.value = p.birth_date || '';
    idType.value = ID_TYPES.includes(p.id_type) ? p.id_type : 'resident_id';
    idNumber.value = '';
    phone.value = '';
    notes.value = p.notes || '';
    tags.set(p.tags);
    syncDerived();
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    refresh.hidden = true;
    ok.hidden = true;
    if (requireValue(name)) { name.focus(); return; }
    const p = getPerson();
    const body = { version: p.version, name: name.value.trim(), relation: relation.value, notes: notes.value.trim(), tags: tags.values() };
    if (p.household) body.household_id = p.household.id;
    if (idNumber.value.trim()) {
      body.id_number = idNumber.value.trim();
      body.id_type = idType.value;
    }
    if (phone.value.trim()) body.phone = phone.value.trim();
    if (!decided()) {
      body.sex = sex.value;
      body.birth_date = birth.value;
    }
    setBusy(save, true, 'common.saving', 'common.save');
    try {
      const saved = await api('PATCH', `/api/v1/persons/${encodeURIComponent(p.id)}`, body);
      onSaved({ ...saved, status_history: saved.status_history || p.status_history });
      flash(ok, 'reg.saved');
    } catch (err) {
      showFormError(err, {
        name, relation, sex, birth_date: birth, id_type: idType, id_number: idNumber, phone, notes, tags: tags.group
      }, alert, 'register');
      if (err.status === 409 && err.field === 'version') refresh.hidden = false;
    } finally {
      setBusy(save, false, 'common.saving', 'common.save');
    }
  });
  return { el, fill };
}

route('/persons/:id', viewPerson, { nav: 'register', title: 'person.title', perm: 'register.read' });
