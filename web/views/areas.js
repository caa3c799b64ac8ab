// views/areas.js — the area tree: #/areas (the caller's scope root) and
// #/areas/CODE. Breadcrumbs from the area's ancestors, its children page by
// page, and for a manager (areas.manage) add a child, rename, delete.

import { api, route, showError, clearError, newIdempotencyKey } from '../app.js';
import { can, getSession } from '../session.js';
import {
  h, tr, levelsBelow, levelTag, field, input, select, showFormError,
  clearFormErrors, requireValue, setBusy, flash, pager, withQuery
} from './util.js';

const areaPath = (code) => `/api/v1/areas/${encodeURIComponent(code)}`;
const areaHref = (code) => `#/areas/${encodeURIComponent(code)}`;

function childItem(a) {
  const n = Number(a.child_count) || 0;
  return h('li', { class: 'area-item', 'data-code': a.code },
    h('a', { class: 'area-link', href: areaHref(a.code) },
      h('span', { class: 'area-main' },
        h('span', { class: 'area-name', text: a.name }),
        h('span', { class: 'area-meta' }, levelTag(a.level), h('span', { class: 'area-code', text: a.code }))),
      h('span', { class: 'area-count', i18n: n ? 'areas.children.n' : 'areas.children.none', vars: { n } }),
      h('span', { class: 'chevron', 'aria-hidden': 'true' })));
}

function breadcrumbs(nav, area) {
  const chain = Array.isArray(area.ancestors) ? area.ancestors.filter((a) => a && a.code !== area.code) : [];
  const ol = h('ol', { class: 'crumbs' },
    chain.map((a) => h('li', { 'data-code': a.code }, h('a', { href: areaHref(a.code), text: a.name }))),
    h('li', { 'data-code': area.code }, h('span', { 'aria-current': 'page', text: area.name })));
  nav.replaceChildren(ol);
}

function viewAreas(view, params) {
  const alive = { on: true };
  const title = h('h1', { class: 'view-title', id: 'areas-title', tabindex: '-1', i18n: 'areas.title' });
  const crumbs = h('nav', { class: 'breadcrumbs', id: 'area-breadcrumbs', 'data-testid': 'area-breadcrumbs', i18nAria: 'areas.breadcrumbs' });
  const body = h('div', { class: 'area-body' });
  const loading = h('p', { class: 'loading', role: 'status' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', { i18n: 'common.loading' }));
  const loadError = h('p', { class: 'form-error', id: 'area-load-error', role: 'alert', hidden: true });
  const section = h('section', { class: 'view view-areas', 'aria-labelledby': 'areas-title' },
    title, crumbs, loading, loadError, body);
  view.append(section);

  let list = null;
  (async () => {
    try {
      let code = params.code;
      if (!code) {
        const roots = await api('GET', '/api/v1/areas');
        const root = roots && Array.isArray(roots.items) ? roots.items[0] : null;
        if (!root) throw Object.assign(new Error('no scope root'), { status: 404, code: 'not_found' });
        code = root.code;
      }
      const area = await api('GET', areaPath(code));
      if (!alive.on) return;
      loading.remove();
      breadcrumbs(crumbs, area);
      list = renderArea(body, area);
      tr(section);
    } catch (err) {
      if (!alive.on || (err && err.name === 'AbortError')) return;
      loading.remove();
      if (err.status === 404) {
        crumbs.hidden = true;
        body.replaceChildren(tr(h('div', { class: 'card message-card', id: 'area-notfound', 'data-testid': 'area-notfound', role: 'alert' },
          h('h2', { class: 'status-title', i18n: 'areas.notfound.title' }),
          h('p', { class: 'lead', i18n: 'areas.notfound.lead' }),
          h('a', { class: 'btn', href: '#/areas', i18n: 'areas.notfound.back' }))));
      } else {
        showError(loadError, err);
      }
    }
  })();
  return () => {
    alive.on = false;
    if (list) list.destroy();
  };
}

// The current area's card, its children and the manager's forms.
function renderArea(body, area) {
  const manage = can('areas.manage');
  const scope = getSession().scope;
  const isScopeRoot = !scope || scope.code === area.code;
  const n = Number(area.child_count) || 0;

  const nameEl = h('h2', { class: 'area-current-name', id: 'area-current-name', text: area.name });
  const countEl = h('span', { class: 'area-count', id: 'area-current-count', i18n: n ? 'areas.children.n' : 'areas.children.none', vars: { n } });
  const actionError = h('p', { class: 'form-error', id: 'area-action-error', role: 'alert', hidden: true });
  const saved = h('p', { class: 'form-ok', id: 'area-saved', role: 'status', hidden: true });
  const card = h('div', { class: 'card area-current', id: 'area-current', 'data-testid': 'area-current', 'data-code': area.code },
    h('div', { class: 'area-current-head' },
      h('div', { class: 'area-current-text' },
        nameEl,
        h('p', { class: 'area-meta' }, levelTag(area.level),
          h('span', { class: 'area-code', id: 'area-current-code', text: area.code }), countEl))),
    actionError, saved);

  if (manage) {
    const renameBtn = h('button', { type: 'button', class: 'btn btn-small', id: 'area-rename', 'data-testid': 'area-rename', i18n: 'areas.rename', 'aria-expanded': 'false', 'aria-controls': 'area-rename-form' });
    const delBtn = isScopeRoot ? null : h('button', { type: 'button', class: 'btn btn-small btn-danger', id: 'area-delete', 'data-testid': 'area-delete', i18n: 'areas.delete', 'aria-expanded': 'false', 'aria-controls': 'area-delete-panel' });
    card.querySelector('.area-current-head').append(h('div', { class: 'area-actions' }, renameBtn, delBtn));

    // Rename
    const newName = input('area-rename-name', { required: true, maxlength: '64', autocomplete: 'off', value: area.name });
    const renameForm = h('form', { class: 'form inline-form', id: 'area-rename-form', hidden: true, novalidate: true },
      field('areas.field.newname', newName),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', id: 'area-rename-submit', 'data-testid': 'area-rename-submit', i18n: 'common.save' }),
        h('button', { type: 'button', class: 'btn', id: 'area-rename-cancel', i18n: 'common.cancel' })));
    card.append(renameForm);
    const showRename = (on) => {
      renameForm.hidden = !on;
      renameBtn.setAttribute('aria-expanded', on ? 'true' : 'false');
      if (on) { newName.value = nameEl.textContent; newName.focus(); newName.select(); }
    };
    renameBtn.addEventListener('click', () => { showDelete(false); showRename(renameForm.hidden); });
    renameForm.querySelector('#area-rename-cancel').addEventListener('click', () => { showRename(false); renameBtn.focus(); });
    renameForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFormErrors(renameForm);
      clearError(actionError);
      if (requireValue(newName)) { newName.focus(); return; }
      const submit = renameForm.querySelector('#area-rename-submit');
      setBusy(submit, true);
      try {
        const a = await api('PATCH', areaPath(area.code), { name: newName.value.trim() });
        nameEl.textContent = a.name;
        const crumb = document.querySelector('#area-breadcrumbs [aria-current="page"]');
        if (crumb) crumb.textContent = a.name;
        showRename(false);
        flash(saved, 'areas.renamed');
        renameBtn.focus();
      } catch (err) {
        showFormError(err, { name: newName }, actionError, 'areas');
      } finally {
        setBusy(submit, false);
      }
    });

    // Delete, after an explicit confirmation
    let showDelete = () => {};
    if (delBtn) {
      const confirmBtn = h('button', { type: 'button', class: 'btn btn-danger-solid', id: 'area-delete-confirm', 'data-testid': 'area-delete-confirm', i18n: 'areas.delete.confirm' });
      const cancelBtn = h('button', { type: 'button', class: 'btn', id: 'area-delete-cancel', i18n: 'common.cancel' });
      const panel = h('div', { class: 'confirm-panel', id: 'area-delete-panel', role: 'group', 'aria-labelledby': 'area-delete-question', hidden: true },
        h('p', { id: 'area-delete-question', i18n: 'areas.delete.question', vars: { name: area.name, code: area.code } }),
        h('div', { class: 'form-actions' }, confirmBtn, cancelBtn));
      card.append(panel);
      showDelete = (on) => {
        panel.hidden = !on;
        delBtn.setAttribute('aria-expanded', on ? 'true' : 'false');
        if (on) cancelBtn.focus();
      };
      delBtn.addEventListener('click', () => { showRename(false); clearError(actionError); showDelete(panel.hidden); });
      cancelBtn.addEventListener('click', () => { showDelete(false); delBtn.focus(); });
      confirmBtn.addEventListener('click', async () => {
        clearError(actionError);
        setBusy(confirmBtn, true);
        try {
          await api('DELETE', areaPath(area.code));
          window.location.hash = area.parent_code ? areaHref(area.parent_code) : '#/areas';
        } catch (err) {
          showDelete(false);
          showError(actionError, err, 'areas');
          delBtn.focus();
        } finally {
          setBusy(confirmBtn, false);
        }
      });
    }
  }

  // Children
  const listEl = h('ul', { class: 'area-list', id: 'area-list', 'data-testid': 'area-list', 'aria-labelledby': 'area-children-title' });
  const more = h('button', { type: 'button', class: 'btn btn-block-phone', id: 'area-more', 'data-testid': 'area-more', i18n: 'common.more', hidden: true });
  const empty = h('p', { class: 'empty', id: 'area-empty', i18n: 'areas.empty', hidden: true });
  const listError = h('p', { class: 'form-error', id: 'area-list-error', role: 'alert', hidden: true });
  const status = h('p', { class: 'loading small', role: 'status', hidden: true });
  const childrenSection = h('section', { class: 'area-children', 'aria-labelledby': 'area-children-title' },
    h('h2', { class: 'section-title', id: 'area-children-title', i18n: 'areas.children.title' }),
    listEl, empty, status, listError, more);

  const layout = h('div', { class: 'area-layout' });
  const main = h('div', { class: 'area-col-main' }, card, childrenSection);
  layout.append(main);
  const below = levelsBelow(area.level);
  let addForm = null;
  if (manage && below.length) {
    let count = n;
    addForm = buildAddForm(area, below, (created) => {
      const item = childItem(created);
      item.classList.add('is-new');
      p.prepend(item);
      count += 1;
      countEl.setAttribute('data-i18n', 'areas.children.n');
      countEl.setAttribute('data-i18n-vars', JSON.stringify({ n: count }));
      tr(countEl);
    });
    layout.append(h('div', { class: 'area-col-side' }, addForm));
  }
  body.replaceChildren(layout);

  const p = pager({
    list: listEl, more, empty, error: listError, status,
    fetchPage: (cursor) => api('GET', withQuery('/api/v1/areas', { parent: area.code, cursor })),
    renderItem: childItem
  });
  p.reload();
  return p;
}

function buildAddForm(parent, below, onCreated) {
  const code = input('area-code', { required: true, maxlength: '48', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', inputmode: 'text', i18nPh: 'areas.field.code.ph', vars: { code: parent.code } });
  const name = input('area-name', { required: true, maxlength: '64', autocomplete: 'off' });
  const level = select('area-level', below.map((l) => [l, `level.${l}`]));
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'area-add-submit', 'data-testid': 'area-add-submit', i18n: 'areas.add.submit' });
  const alert = h('p', { class: 'form-error', id: 'area-add-error', role: 'alert', hidden: true });
  const ok = h('p', { class: 'form-ok', id: 'area-add-ok', role: 'status', hidden: true });
  const form = h('form', { class: 'form card', id: 'area-add-form', 'data-testid': 'area-add-form', novalidate: true, 'aria-labelledby': 'area-add-title' },
    h('h2', { class: 'card-title', id: 'area-add-title', i18n: 'areas.add.title' }),
    h('p', { class: 'muted small', i18n: 'areas.add.lead', vars: { name: parent.name } }),
    field('areas.field.code', code, { hintKey: 'areas.field.code.hint' }),
    field('areas.field.name', name),
    field('areas.field.level', level),
    alert, ok, submit);

  let key = null; // one Idempotency-Key per distinct submission
  let last = '';
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (submit.disabled) return;
    clearFormErrors(form);
    ok.hidden = true;
    const missing = [code, name].filter((c) => requireValue(c));
    if (missing.length) { missing[0].focus(); return; }
    const body = { code: code.value.trim(), name: name.value.trim(), level: level.value, parent_code: parent.code };
    const sig = JSON.stringify(body);
    if (sig !== last) { key = null; last = sig; }
    key = key || newIdempotencyKey();
    setBusy(submit, true, 'common.saving', 'areas.add.submit');
    try {
      const created = await api('POST', '/api/v1/areas', body, { idempotencyKey: key });
      key = null;
      last = '';
      onCreated(created);
      flash(ok, 'areas.add.done', { name: created.name });
      code.value = '';
      name.value = '';
      code.focus();
    } catch (err) {
      showFormError(err, { code, name, level, parent_code: code }, alert, 'areas');
    } finally {
      setBusy(submit, false, 'common.saving', 'areas.add.submit');
    }
  });
  return form;
}

route('/areas', viewAreas, { nav: 'areas', title: 'areas.title', perm: 'areas.read' });
route('/areas/:code', viewAreas, { nav: 'areas', title: 'areas.title', perm: 'areas.read' });
