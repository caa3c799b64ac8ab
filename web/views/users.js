// views/users.js — #/users: the users within the caller's scope (a table on
// a desktop, cards on a phone), filters, a create form, and per user an edit
// dialog (name, role, area, unit, phone, enable/disable, new password).

import { api, route, clearError, newIdempotencyKey } from '../app.js';
import { can, getSession, grantableRoles, rankOf, ROLES } from '../session.js';
import {
  h, tr, roleTag, field, input, select, setOptions, showFormError, clearFormErrors,
  requireValue, setBusy, flash, pager, withQuery
} from './util.js';

// Option value (a string) -> the unit's id as the API gave it.
const unitIds = new Map();
const unitId = (value) => (unitIds.has(value) ? unitIds.get(value) : value);

function cell(labelKey, ...content) {
  return h('td', { class: `cell cell-${labelKey.split('.').pop()}` },
    h('span', { class: 'cell-label', i18n: labelKey }),
    h('span', { class: 'cell-value' }, ...content));
}

function userRow(u, onEdit) {
  const mayEdit = can('users.manage') && rankOf(u.role) <= rankOf(getSession().user?.role);
  const row = h('tr', { class: `user-row${u.active === false ? ' is-inactive' : ''}`, 'data-id': u.id, 'data-login': u.login },
    cell('users.col.name',
      h('strong', { class: 'user-display', text: u.display_name }),
      h('span', { class: 'muted small user-login', text: u.login })),
    cell('users.col.role', roleTag(u.role)),
    cell('users.col.area', u.area
      ? [h('span', { text: u.area.name }), h('span', { class: 'muted small area-code', text: u.area.code })]
      : h('span', { class: 'muted', text: '—' })),
    cell('users.col.unit', h('span', { text: u.unit ? u.unit.name : '—' })),
    cell('users.col.phone', h('span', { class: 'phone', text: u.phone || '—' })),
    cell('users.col.status', h('span', {
      class: `status-pill ${u.active === false ? 'is-off' : 'is-on'}`,
      i18n: u.active === false ? 'users.status.disabled' : 'users.status.active'
    })),
    h('td', { class: 'cell cell-actions' }, mayEdit
      ? h('button', {
        type: 'button', class: 'btn btn-small user-edit', 'data-testid': 'user-edit',
        i18n: 'common.edit', i18nAria: 'users.edit.aria', vars: { name: u.display_name },
        on: { click: () => onEdit(u, row) }
      })
      : null));
  return row;
}

// [[id, null, "name"]...] of the units the caller may see (for the selects).
async function unitOptions() {
  if (!can('units.read')) return null;
  try {
    const page = await api('GET', withQuery('/api/v1/units', { limit: 500 }));
    unitIds.clear();
    for (const u of page.items || []) unitIds.set(String(u.id), u.id);
    return (page.items || []).map((u) => [String(u.id), null, u.area ? `${u.name}（${u.area.name}）` : u.name]);
  } catch {
    return null;
  }
}

function viewUsers(view) {
  const manage = can('users.manage');
  const scope = getSession().scope;
  let alive = true;

  const title = h('h1', { class: 'view-title', id: 'users-title', tabindex: '-1', i18n: 'users.title' });
  const lead = h('p', { class: 'lead', i18n: 'users.lead', vars: { scope: scope ? scope.name : '' } });

  // Filters
  const q = input('users-q', { type: 'search', i18nPh: 'users.filter.q.ph', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', i18nAria: 'users.filter.q' });
  const roleFilter = select('users-role-filter', [['', 'users.filter.role.all'], ...ROLES.map((r) => [r, `role.${r}`])], { i18nAria: 'users.filter.role' });
  const activeFilter = select('users-active-filter', [['', 'users.filter.active.all'], ['true', 'users.status.active'], ['false', 'users.status.disabled']], { i18nAria: 'users.filter.active' });
  const filter = h('form', { class: 'filter-bar', id: 'users-filter', role: 'search', novalidate: true },
    h('div', { class: 'filter-grow' }, q,
      h('button', { type: 'submit', class: 'btn', id: 'users-search', i18n: 'common.search' })),
    roleFilter, activeFilter);

  // List
  const head = h('thead', {}, h('tr', {},
    ['name', 'role', 'area', 'unit', 'phone', 'status'].map((c) => h('th', { scope: 'col', i18n: `users.col.${c}` })),
    h('th', { scope: 'col' }, h('span', { class: 'sr-only', i18n: 'common.actions' }))));
  const rows = h('tbody', { id: 'user-rows' });
  const table = h('table', { class: 'data-table', id: 'user-list', 'data-testid': 'user-list', 'aria-labelledby': 'users-title' }, head, rows);
  const more = h('button', { type: 'button', class: 'btn btn-block-phone', id: 'users-more', 'data-testid': 'users-more', i18n: 'common.more', hidden: true });
  const empty = h('p', { class: 'empty', id: 'users-empty', i18n: 'users.empty', hidden: true });
  const listError = h('p', { class: 'form-error', id: 'users-error', role: 'alert', hidden: true });
  const status = h('p', { class: 'loading small', role: 'status', hidden: true });

  const dialog = manage ? buildEditDialog() : null;
  const createBox = manage ? buildCreateForm(scope, (u) => {
    p.prepend(userRow(u, dialog.open));
    rows.firstElementChild.classList.add('is-new');
  }) : null;

  const section = h('section', { class: 'view view-users', 'aria-labelledby': 'users-title' },
    title, lead, createBox, filter,
    h('div', { class: 'table-wrap' }, table), empty, status, listError, more, dialog ? dialog.el : null);
  view.append(section);

  const p = pager({
    list: rows, more, empty, error: listError, status,
    fetchPage: (cursor) => api('GET', withQuery('/api/v1/users', {
      q: q.value.trim(), role: roleFilter.value, active: activeFilter.value, cursor
    })),
    renderItem: (u) => userRow(u, dialog ? dialog.open : () => {})
  });
  p.reload();

  let timer = 0;
  filter.addEventListener('submit', (ev) => { ev.preventDefault(); clearTimeout(timer); p.reload(); });
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { if (alive) p.reload(); }, 350); });
  roleFilter.addEventListener('change', () => p.reload());
  activeFilter.addEventListener('change', () => p.reload());

  if (manage) {
    unitOptions().then((opts) => {
      if (!alive) return;
      createBox.setUnits(opts);
      dialog.setUnits(opts);
    });
  }
  return () => {
    alive = false;
    clearTimeout(timer);
    p.destroy();
    if (dialog) dialog.close();
  };
}

function roleOptions(withPlaceholder) {
  const opts = grantableRoles().map((r) => [r, `role.${r}`]);
  return withPlaceholder ? [['', 'users.field.role.choose'], ...opts] : opts;
}

function buildCreateForm(scope, onCreated) {
  const login = input('user-login', { required: true, maxlength: '64', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
  const name = input('user-name', { required: true, maxlength: '64', autocomplete: 'off' });
  const role = select('user-role', roleOptions(true), { required: true });
  const area = input('user-area', { required: true, maxlength: '48', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', value: scope ? scope.code : '' });
  const unit = select('user-unit', [['', 'users.field.unit.none']]);
  const phone = input('user-phone', { type: 'tel', maxlength: '20', autocomplete: 'off', inputmode: 'tel' });
  const password = input('user-password', { type: 'password', required: true, autocomplete: 'new-password', maxlength: '128' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'user-submit', 'data-testid': 'user-submit', i18n: 'users.create.submit' });
  const alert = h('p', { class: 'form-error', id: 'user-form-error', role: 'alert', hidden: true });
  const ok = h('p', { class: 'form-ok', id: 'user-form-ok', role: 'status', hidden: true });
  const unitField = field('users.field.unit', unit, { optional: true });
  unitField.hidden = true;

  const form = h('form', { class: 'form form-grid', id: 'user-form', 'data-testid': 'user-form', novalidate: true },
    field('users.field.login', login, { hintKey: 'users.field.login.hint' }),
    field('users.field.name', name),
    field('users.field.role', role),
    field('users.field.area', area, { hintKey: 'users.field.area.hint', hintVars: { code: scope ? scope.code : '' } }),
    unitField,
    field('users.field.phone', phone, { optional: true }),
    field('users.field.password', password, { hintKey: 'users.field.password.hint' }),
    h('div', { class: 'form-wide' }, alert, ok, submit));
  const box = h('details', { class: 'card create-box', id: 'user-create', 'data-testid': 'user-create' },
    h('summary', { class: 'create-summary', id: 'user-create-toggle', i18n: 'users.create.title' }), form);

  const fields = { login, display_name: name, role, area_code: area, unit_id: unit, phone, password };
  let key = null;
  let last = '';
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (submit.disabled) return;
    clearFormErrors(form);
    ok.hidden = true;
    const missing = [login, name, role, area, password].filter((c) => requireValue(c));
    if (missing.length) { missing[0].focus(); return; }
    const body = {
      login: login.value.trim(), display_name: name.value.trim(), role: role.value,
      area_code: area.value.trim(), password: password.value
    };
    if (phone.value.trim()) body.phone = phone.value.trim();
    if (!unitField.hidden && unit.value) body.unit_id = unitId(unit.value);
    const sig = JSON.stringify(body);
    if (sig !== last) { key = newIdempotencyKey(); last = sig; }
    setBusy(submit, true, 'common.saving', 'users.create.submit');
    try {
      const u = await api('POST', '/api/v1/users', body, { idempotencyKey: key });
      last = '';
      onCreated(u);
      flash(ok, 'users.create.done', { name: u.display_name, login: u.login });
      for (const c of [login, name, phone, password]) c.value = '';
      role.value = '';
      login.focus();
    } catch (err) {
      showFormError(err, fields, alert, 'users');
    } finally {
      setBusy(submit, false, 'common.saving', 'users.create.submit');
    }
  });
  box.setUnits = (opts) => {
    if (!opts) return;
    setOptions(unit, [['', 'users.field.unit.none'], ...opts]);
    unitField.hidden = false;
  };
  return box;
}

// The edit dialog, one per page, filled for the user being edited.
function buildEditDialog() {
  const name = input('edit-name', { required: true, maxlength: '64', autocomplete: 'off' });
  const role = select('edit-role', roleOptions(false));
  const area = input('edit-area', { required: true, maxlength: '48', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
  const unit = select('edit-unit', [['', 'users.field.unit.none']]);
  const phone = input('edit-phone', { type: 'tel', maxlength: '20', autocomplete: 'off', inputmode: 'tel', i18nPh: 'users.field.phone.keep' });
  const unitField = field('users.field.unit', unit, { optional: true });
  unitField.hidden = true;
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'edit-save', 'data-testid': 'edit-save', i18n: 'common.save' });
  const alert = h('p', { class: 'form-error', id: 'edit-error', role: 'alert', hidden: true });
  const ok = h('p', { class: 'form-ok', id: 'edit-ok', role: 'status', hidden: true });
  const form = h('form', { class: 'form', id: 'user-edit-form', novalidate: true },
    field('users.field.name', name),
    field('users.field.role', role),
    field('users.field.area', area),
    unitField,
    field('users.field.phone', phone, { optional: true }),
    h('div', { class: 'form-actions' }, save));

  const password = input('edit-password', { type: 'password', autocomplete: 'new-password', maxlength: '128' });
  const pwSubmit = h('button', { type: 'submit', class: 'btn', id: 'edit-password-submit', 'data-testid': 'edit-password-submit', i18n: 'users.password.submit' });
  const pwForm = h('form', { class: 'form', id: 'user-password-form', novalidate: true },
    h('h3', { class: 'sub-title', i18n: 'users.password.title' }),
    field('users.field.newpassword', password, { hintKey: 'users.field.password.hint' }),
    h('div', { class: 'form-actions' }, pwSubmit));

  const activeText = h('p', { class: 'small', id: 'edit-active-text' });
  const activeBtn = h('button', { type: 'button', class: 'btn', id: 'edit-active', 'data-testid': 'edit-active' });
  const activeBox = h('div', { class: 'edit-active' },
    h('h3', { class: 'sub-title', i18n: 'users.active.title' }), activeText, activeBtn);

  const selfNote = h('p', { class: 'muted small', id: 'edit-self-note', i18n: 'users.self', hidden: true });
  const heading = h('h2', { class: 'dialog-title', id: 'user-edit-title', tabindex: '-1' });
  const closeBtn = h('button', { type: 'button', class: 'dialog-close', id: 'edit-close', i18nAria: 'common.close' }, h('span', { 'aria-hidden': 'true', text: '×' }));
  const el = h('dialog', { class: 'dialog', id: 'user-edit', 'data-testid': 'user-edit', 'aria-labelledby': 'user-edit-title' },
    h('div', { class: 'dialog-head' }, heading, closeBtn),
    alert, ok, selfNote, form, pwForm, activeBox);

  let user = null;
  let row = null;

  const fill = (u) => {
    user = u;
    heading.setAttribute('data-i18n', 'users.edit.title');
    heading.setAttribute('data-i18n-vars', JSON.stringify({ name: u.display_name, login: u.login }));
    name.value = u.display_name || '';
    if (![...role.options].some((o) => o.value === u.role)) {
      role.append(h('option', { value: u.role, i18n: `role.${u.role}`, disabled: true }));
    }
    role.value = u.role;
    area.value = u.area ? u.area.code : '';
    unit.value = u.unit ? String(u.unit.id) : '';
    phone.value = '';
    password.value = '';
    activeText.setAttribute('data-i18n', u.active === false ? 'users.active.off' : 'users.active.on');
    activeBtn.setAttribute('data-i18n', u.active === false ? 'users.active.enable' : 'users.active.disable');
    activeBtn.classList.toggle('btn-danger', u.active !== false);
    // The server refuses changing one's own role, area or state.
    const self = String(u.id) === String(getSession().user?.id);
    selfNote.hidden = !self;
    role.disabled = self;
    area.disabled = self;
    activeBox.hidden = self;
    tr(el);
  };

  const updated = (u) => {
    const fresh = userRow(u, open);
    fresh.classList.add('is-new');
    if (row && row.isConnected) row.replaceWith(fresh);
    tr(fresh);
    row = fresh;
    fill(u);
  };

  const patch = async (body, button, fields, doneKey) => {
    clearFormErrors(el);
    ok.hidden = true;
    setBusy(button, true);
    try {
      const u = await api('PATCH', `/api/v1/users/${encodeURIComponent(user.id)}`, body);
      updated(u);
      flash(ok, doneKey);
      return true;
    } catch (err) {
      showFormError(err, fields, alert, 'users');
      return false;
    } finally {
      setBusy(button, false);
    }
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(el);
    const missing = [name, area].filter((c) => requireValue(c));
    if (missing.length) { missing[0].focus(); return; }
    const body = {};
    if (name.value.trim() !== user.display_name) body.display_name = name.value.trim();
    if (role.value !== user.role) body.role = role.value;
    if (area.value.trim() !== (user.area ? user.area.code : '')) body.area_code = area.value.trim();
    if (!unitField.hidden && unit.value !== (user.unit ? String(user.unit.id) : '')) body.unit_id = unit.value ? unitId(unit.value) : null;
    if (phone.value.trim()) body.phone = phone.value.trim();
    if (!Object.keys(body).length) { flash(ok, 'users.edit.nochange'); return; }
    await patch(body, save, { display_name: name, role, area_code: area, unit_id: unit, phone }, 'users.edit.saved');
  });
  pwForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(el);
    if (requireValue(password)) { password.focus(); return; }
    if (await patch({ password: password.value }, pwSubmit, { password }, 'users.password.done')) password.value = '';
  });
  activeBtn.addEventListener('click', () => {
    patch({ active: user.active === false }, activeBtn, {}, user.active === false ? 'users.active.enabled' : 'users.active.disabled');
  });

  const close = () => { if (el.open) el.close(); };
  closeBtn.addEventListener('click', close);
  el.addEventListener('close', () => {
    clearFormErrors(el);
    ok.hidden = true;
    if (row && row.isConnected) row.querySelector('.user-edit')?.focus();
  });

  function open(u, r) {
    row = r;
    clearFormErrors(el);
    clearError(alert);
    ok.hidden = true;
    fill(u);
    el.showModal();
    heading.focus();
  }
  return {
    el,
    open,
    close,
    setUnits(opts) {
      if (!opts) return;
      setOptions(unit, [['', 'users.field.unit.none'], ...opts]);
      unitField.hidden = false;
      if (user) unit.value = user.unit ? String(user.unit.id) : '';
    }
  };
}

route('/users', viewUsers, { nav: 'users', title: 'users.title', perm: 'users.read' });
