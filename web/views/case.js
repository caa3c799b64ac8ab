// views/case.js — #/cases/:id: one case. The header (state, due time), what
// was reported, the photos, the timeline (who, when, from → to, note,
// photos), and the actions the caller may take now (allowed_actions):
//   dispatcher  dispatch (the suggested department pre-selected), merge into
//               a likely duplicate, answer directly, whistle (co-departments),
//               approve/reject an extension, rule on a return, close
//   handler     sign, return (reason + note), request an extension, resolve
//               (result + photos); a whistled department reports in, replies
//   everyone    comment; supervisors 督办/催办
// A 409 (someone acted first) reloads the case and says so.

import { api, route, newIdempotencyKey, showError, clearError } from '../app.js';
import { can } from '../session.js';
import { h, tr, field, select, showFormError, clearFormErrors, requireValue, setBusy, flash, formatTime, withQuery } from './util.js';
import {
  stateBadge, actionLabel, categoryLabel, sourceLabel, dueLine, photoGrid, photoPicker, refreshCounts,
  RETURN_REASONS, OUTCOMES, SATISFACTIONS, caseHref, loadCategories
} from './casekit.js';

// The actions with a form, and what it asks. Those not listed are one tap.
// Order: how the panel lists them.
const FORMS = {
  dispatch: ['lead_department', 'text'],
  answer_directly: ['text!'],
  whistle: ['co_departments', 'text'],
  approve_extension: ['text'],
  reject_extension: ['text'],
  rule: ['text'],
  sign: [],
  return: ['return_reason', 'text'],
  request_extension: ['extension_days', 'text'],
  resolve: ['result', 'photos'],
  report_in: [],
  reply: ['text!'],
  rate: ['rating', 'text'],
  close: ['text'],
  supervise: ['text!'],
  remind: [],
  withdraw: []
};
// Shown open at once: the step the caller is most likely here for.
const PRIMARY = ['dispatch', 'sign', 'resolve', 'reply', 'rate', 'approve_extension'];

// Departments this case may go to: those in the caller's scope and those
// stationed above the case's area (GET /api/v1/cases/{id}/departments).
async function loadUnits(caseId) {
  const d = await api('GET', `/api/v1/cases/${caseId}/departments`);
  return d.items || [];
}

// Open cases this one may duplicate, asked for only when the caller may
// merge it (GET /api/v1/cases/{id}/duplicates: the scan is not part of
// every read of a case).
async function loadDuplicates(caseId) {
  const d = await api('GET', `/api/v1/cases/${caseId}/duplicates`);
  return d.items || [];
}

function unitOptions(units, c) {
  const opts = units.map((u) => [String(u.id), null, u.area ? `${u.name}（${u.area.name}）` : u.name]);
  // The suggested or current department may lie outside the caller's list.
  for (const d of [c.suggested_department, c.lead_department]) {
    if (d && !opts.some((o) => o[0] === String(d.id))) opts.unshift([String(d.id), null, d.name]);
  }
  return opts;
}

// The reporter's name and masked phone; a handler or dispatcher who must
// call back asks for the number (GET ?reveal=phone, audited) and gets a
// tel: link.
function reporterLine(c) {
  const line = h('span', { id: 'case-reporter', text: [c.reporter.name, c.reporter.phone_masked].filter(Boolean).join(' ') });
  if (!c.reporter.phone_masked || !can('cases.reveal')) return line;
  const btn = h('button', { type: 'button', class: 'btn btn-link', id: 'case-reveal-phone', i18n: 'case.reveal.phone' });
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      const d = await api('GET', `/api/v1/cases/${c.id}?reveal=phone`);
      const phone = d.reporter && d.reporter.phone;
      if (phone) btn.replaceWith(h('a', { href: `tel:${phone}`, id: 'case-reporter-phone', class: 'tel', text: phone }));
    } catch {
      btn.disabled = false;
    }
  });
  return h('span', {}, line, ' ', btn);
}

function fact(labelKey, ...value) {
  return [h('dt', { i18n: labelKey }), h('dd', {}, ...value)];
}

function timelineItem(e, photos) {
  const mine = photos.filter((p) => p.event_id && p.event_id === e.id);
  const who = [e.actor_name, e.actor].find((x) => x && x !== '-') || '';
  return h('li', { class: `tl-item tl-${e.action}`, 'data-action': e.action },
    h('span', { class: 'tl-dot', 'aria-hidden': 'true' }),
    h('div', { class: 'tl-body' },
      h('p', { class: 'tl-head' }, h('strong', {}, actionLabel(e.action)),
        e.from !== e.to ? h('span', { class: 'tl-states' },
          e.from && e.from !== 'none' ? [stateBadge(e.from), h('span', { 'aria-hidden': 'true', text: ' → ' })] : null, stateBadge(e.to)) : null),
      h('p', { class: 'tl-meta muted small' },
        h('time', { datetime: e.at, text: formatTime(e.at) }),
        who ? h('span', { text: ` · ${who}` }) : null,
        e.unit ? h('span', { text: ` · ${e.unit}` }) : null,
        !who && !e.unit ? h('span', {}, ' · ', h('span', { i18n: `case.party.${e.party}` })) : null),
      e.note ? h('p', { class: 'tl-note', text: e.note }) : null,
      photoGrid(mine)));
}

// One action's form; submit(body) sends it.
function actionForm(action, c, units, submit) {
  const id = `act-${action}`;
  const parts = [];
  const fields = {};
  let photos = null;
  let rating = null;
  const ask = FORMS[action] || [];
  for (const spec of ask) {
    const name = spec.replace('!', '');
    const required = spec.endsWith('!');
    if (name === 'lead_department') {
      const sel = select(`${id}-dept`, [['', 'case.dispatch.choose'], ...unitOptions(units, c)]);
      const pre = c.suggested_department || c.lead_department;
      if (pre) sel.value = String(pre.id);
      fields.lead_department = sel;
      parts.push(field('case.field.lead_department', sel, { hintKey: c.suggested_department ? 'case.dispatch.suggested' : null, hintVars: { name: c.suggested_department ? c.suggested_department.name : '' } }));
    } else if (name === 'co_departments') {
      const taken = new Set([c.lead_department && c.lead_department.id, ...(c.co_departments || []).map((u) => u.id)]);
      const box = h('div', { class: 'check-list', id: `${id}-co`, tabindex: '-1' },
        units.filter((u) => !taken.has(u.id)).map((u) => h('label', { class: 'check-item' },
          h('input', { type: 'checkbox', value: String(u.id), name: `${id}-co` }), h('span', { text: u.name }))));
      fields.co_departments = box;
      parts.push(h('fieldset', { class: 'field' }, h('legend', { i18n: 'case.field.co_departments' }), box,
        h('p', { class: 'field-error', id: `${id}-co-error`, role: 'alert', hidden: true })));
    } else if (name === 'return_reason') {
      const sel = select(`${id}-reason`, RETURN_REASONS.map((r) => [r, `case.reason.${r}`]));
      fields.return_reason = sel;
      parts.push(field('case.field.return_reason', sel));
    } else if (name === 'extension_days') {
      const days = h('input', { type: 'number', id: `${id}-days`, min: '1', max: '30', value: '3', inputmode: 'numeric', 'data-testid': `${id}-days` });
      fields.extension_days = days;
      parts.push(field('case.field.extension_days', days));
    } else if (name === 'result') {
      const ta = h('textarea', { id: `${id}-result`, rows: '3', maxlength: '2000', 'data-testid': `${id}-result` });
      fields.result = ta;
      parts.push(field('case.field.result', ta));
    } else if (name === 'photos') {
      photos = photoPicker(`${id}-photos`);
      fields.photos = photos.el.querySelector('input');
      parts.push(photos.el);
    } else if (name === 'rating') {
      rating = { outcome: radios(`${id}-outcome`, OUTCOMES, 'case.outcome'), satisfaction: radios(`${id}-satisfaction`, SATISFACTIONS, 'case.satisfaction') };
      fields.rating_outcome = rating.outcome.box;
      fields.satisfaction = rating.satisfaction.box;
      parts.push(rating.outcome.el, rating.satisfaction.el);
    } else if (name === 'text') {
      const ta = h('textarea', { id: `${id}-text`, rows: '2', maxlength: '2000', 'data-testid': `${id}-text` });
      fields.text = ta;
      parts.push(field(`case.text.${action}`, ta, { optional: !required }));
    }
  }
  const alert = h('p', { class: 'form-error', id: `${id}-error`, role: 'alert', hidden: true });
  const go = h('button', { type: 'submit', class: `btn ${action === 'return' || action === 'reject_extension' ? '' : 'btn-primary'}`, id: `${id}-submit`, 'data-testid': `${id}-submit`, i18n: `case.do.${action}` });
  const form = h('form', { class: 'form act-form', id: `${id}-form`, 'data-action': action, novalidate: true }, ...parts, alert, go);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (go.disabled) return;
    clearFormErrors(form);
    const body = {};
    const need = [];
    if (fields.lead_department) { if (!fields.lead_department.value) need.push(fields.lead_department); else body.lead_department = Number(fields.lead_department.value); }
    if (fields.co_departments) {
      body.co_departments = Array.from(fields.co_departments.querySelectorAll('input:checked'), (i) => Number(i.value));
      if (!body.co_departments.length) {
        const line = form.querySelector(`#${id}-co-error`);
        showError(line, 'case.whistle.none');
        need.push(fields.co_departments);
      }
    }
    if (fields.return_reason) body.return_reason = fields.return_reason.value;
    if (fields.extension_days) body.extension_days = Number(fields.extension_days.value);
    if (fields.result) { if (requireValue(fields.result)) need.push(fields.result); else body.result = fields.result.value.trim(); }
    if (rating) {
      for (const [k, r] of [['rating_outcome', rating.outcome], ['satisfaction', rating.satisfaction]]) {
        if (!r.value()) { showError(form.querySelector(`#${r.box.id}-error`), 'case.rate.choose'); need.push(r.box); } else body[k] = r.value();
      }
    }
    if (fields.text) {
      const v = fields.text.value.trim();
      if (v) body.text = v;
      else if (ask.includes('text!')) { requireValue(fields.text); need.push(fields.text); }
    }
    if (need.length) { need[0].focus(); return; }
    if (photos) {
      if (photos.busy()) await photos.settled();
      const shas = photos.shas();
      if (shas.length) body.photos = shas;
    }
    setBusy(go, true);
    try {
      await submit(action, body, (err) => showFormError(err, fields, alert, 'case.act'));
    } finally {
      setBusy(go, false);
    }
  });
  return form;
}

function radios(id, values, prefix) {
  const box = h('div', { class: 'choice-row', id, tabindex: '-1', role: 'radiogroup' },
    values.map((v) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name: id, value: v, id: `${id}-${v}` }), h('span', { i18n: `${prefix}.${v}` }))));
  const el = h('fieldset', { class: 'field' }, h('legend', { i18n: `${prefix}.label` }), box,
    h('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true }));
  return { el, box, value: () => (box.querySelector('input:checked') || {}).value || '' };
}

function viewCase(view, params, query) {
  const id = params.id;
  let alive = true;
  let c = null;
  const section = h('section', { class: 'view view-case', 'aria-labelledby': 'case-title' },
    h('p', { class: 'breadcrumbs' }, h('a', { href: '#/cases', i18n: 'case.back' })),
    h('h1', { class: 'view-title', id: 'case-title', tabindex: '-1', i18n: 'case.title', vars: { id } }));
  const notice = h('p', { class: 'notice', id: 'case-notice', 'data-testid': 'case-notice', role: 'status', hidden: true });
  const body = h('div', { class: 'case-body', id: 'case-body' }, h('p', { class: 'loading', role: 'status' }, h('span', { i18n: 'common.loading' })));
  section.append(notice, body);
  view.append(section);
  if (query.get('created') === '1') flash(notice, 'case.created');

  async function load(noticeKey) {
    try {
      const [d] = await Promise.all([
        api('GET', `/api/v1/cases/${encodeURIComponent(id)}`),
        loadCategories().catch(() => null) // names the category in English too
      ]);
      if (!alive) return;
      c = d;
      await render();
      if (noticeKey) flash(notice, noticeKey);
      refreshCounts();
    } catch (err) {
      if (!alive) return;
      body.replaceChildren(tr(h('p', { class: 'form-error', id: 'case-load-error', role: 'alert' })));
      showError(body.firstChild, err);
    }
  }

  // Sends an action; on a conflict the case is read again and the caller
  // told. A comment depends on no state: it is sent again, once, on the
  // fresh version rather than lost with the re-rendered form.
  async function send(action, extra, onError, retried = false) {
    try {
      c = await api('POST', `/api/v1/cases/${encodeURIComponent(id)}/actions`, { action, version: c.version, ...extra }, { idempotencyKey: newIdempotencyKey() });
      if (!alive) return;
      await render();
      flash(notice, 'case.act.done');
      refreshCounts();
    } catch (err) {
      if (!alive) return;
      if (err.status === 409 && err.code === 'conflict' && action === 'comment' && !retried) {
        try {
          c = await api('GET', `/api/v1/cases/${encodeURIComponent(id)}`);
        } catch (e) {
          onError(e);
          return;
        }
        await send(action, extra, onError, true);
        return;
      }
      if (err.status === 409) {
        await load(err.code === 'conflict' ? 'case.conflict.reloaded' : 'case.invalid.reloaded');
        return;
      }
      onError(err);
    }
  }

  async function render() {
    const allowed = new Set(c.allowed_actions || []);
    const needsUnits = ['dispatch', 'whistle'].some((a) => allowed.has(a));
    const [units, duplicates] = await Promise.all([
      needsUnits ? loadUnits(c.id).catch(() => []) : [],
      allowed.has('merge') ? loadDuplicates(c.id).catch(() => []) : []
    ]);
    if (!alive) return;
    const introPhotos = (c.photos || []).filter((p) => !p.event_id);
    const due = c.state === 'dispatched' ? c.sign_due_at : c.state === 'signed' ? c.resolve_due_at : null;
    const head = h('div', { class: `card case-head${c.overdue ? ' is-overdue' : ''}`, id: 'case-head' },
      h('p', { class: 'case-head-line' }, stateBadge(c.state, 'case-state'),
        c.urgent ? h('span', { class: 'tag-flag tag-urgent', i18n: 'case.flag.urgent' }) : null,
        c.overdue ? h('span', { class: 'tag-flag tag-late', id: 'case-overdue', i18n: 'case.flag.overdue' }) : null,
        c.supervised ? h('span', { class: 'tag-flag tag-sup', i18n: 'case.flag.supervised' }) : null,
        c.extension_pending ? h('span', { class: 'tag-flag tag-ext', id: 'case-ext-pending', i18n: 'case.flag.extension.days', vars: { n: c.extension_days } }) : null),
      h('h2', { class: 'case-head-title', id: 'case-subject', text: c.title }),
      due ? h('p', { class: 'case-head-due', id: 'case-due' }, dueLine(due)) : null,
      h('dl', { class: 'case-facts' },
        fact('case.field.category', categoryLabel(c.category)),
        fact('case.field.area', h('span', { text: c.area ? c.area.name : '' })),
        fact('case.field.source', sourceLabel(c.source)),
        fact('case.field.submitted_at', h('span', { text: formatTime(c.submitted_at) })),
        c.lead_department ? fact('case.field.lead_department', h('span', { id: 'case-lead', text: c.lead_department.name })) : null,
        (c.co_departments || []).length ? fact('case.field.co_departments', h('span', { id: 'case-co' },
          c.co_departments.map((u, i) => h('span', { class: 'co-dept' }, i ? '、' : '', u.name,
            u.replied_at ? h('span', { class: 'muted small', i18n: 'case.co.replied' }) : u.reported_at ? h('span', { class: 'muted small', i18n: 'case.co.reported' }) : null)))) : null,
        c.address ? fact('case.field.address', h('span', { text: c.address })) : null,
        c.reporter && (c.reporter.name || c.reporter.phone_masked) ? fact('case.field.reporter', reporterLine(c)) : null,
        c.location ? fact('case.field.location', h('span', { text: `${c.location.lat}, ${c.location.lon}` })) : null,
        c.merged_into ? fact('case.field.merged_into', h('a', { href: caseHref(c.merged_into), text: `#${c.merged_into}` })) : null));
    const desc = h('div', { class: 'card' }, h('h2', { class: 'sub-title', i18n: 'case.field.description' }),
      h('p', { class: 'case-desc', id: 'case-description', text: c.description }),
      c.call_notes ? h('p', { class: 'muted small', text: c.call_notes }) : null,
      photoGrid(introPhotos, 'case-photos'));
    const result = c.result ? h('div', { class: 'card case-result', id: 'case-result' }, h('h2', { class: 'sub-title', i18n: 'case.field.result' }), h('p', { text: c.result }),
      c.rating ? h('p', { class: 'muted', id: 'case-rating' }, h('span', { i18n: `case.outcome.${c.rating.outcome}` }), ' · ', h('span', { i18n: `case.satisfaction.${c.rating.satisfaction}` }), c.rating.comment ? ` · ${c.rating.comment}` : '') : null) : null;

    const dups = duplicates.length
      ? h('div', { class: 'card dup-card', id: 'case-duplicates' },
        h('h2', { class: 'sub-title', i18n: 'case.dups.title' }),
        h('ul', { class: 'dup-list' }, duplicates.map((d) => h('li', { class: 'dup-item', 'data-id': d.id },
          h('a', { href: caseHref(d.id), text: `#${d.id} ${d.title}` }), ' ', stateBadge(d.state),
          h('span', { class: 'muted small', text: ` ${d.area_name || ''} ${d.address || ''} ${formatTime(d.submitted_at)}` }),
          h('button', { type: 'button', class: 'btn btn-small', id: `merge-${d.id}`, i18n: 'case.dups.merge',
            on: { click: (ev) => { ev.target.disabled = true; send('merge', { merged_into: d.id }, (err) => { ev.target.disabled = false; showError(dupErr, err, 'case.act'); }); } } })))),
        h('p', { class: 'form-error', id: 'case-dup-error', role: 'alert', hidden: true }))
      : null;
    const dupErr = dups ? dups.querySelector('#case-dup-error') : null;

    // The actions: the likely one open, the others behind their buttons.
    const acts = Object.keys(FORMS).filter((a) => allowed.has(a));
    let actions = null;
    if (acts.length) {
      const panels = acts.map((a) => {
        const f = actionForm(a, c, units, send);
        const d = h('details', { class: 'act-box', id: `act-${a}`, 'data-testid': `act-${a}`, open: PRIMARY.includes(a) && acts.filter((x) => PRIMARY.includes(x))[0] === a },
          h('summary', { class: 'act-summary', id: `act-${a}-toggle` }, h('span', { i18n: `case.do.${a}` })), f);
        return d;
      });
      actions = h('div', { class: 'card case-actions', id: 'case-actions' }, h('h2', { class: 'sub-title', i18n: 'case.actions' }), ...panels);
    }
    const comment = allowed.has('comment') ? commentBox() : null;
    const tl = h('div', { class: 'card' }, h('h2', { class: 'sub-title', i18n: 'case.timeline' }),
      h('ol', { class: 'timeline', id: 'case-timeline', 'data-testid': 'case-timeline' }, (c.timeline || []).map((e) => timelineItem(e, c.photos || []))));
    body.replaceChildren(tr(h('div', { class: 'case-layout' },
      h('div', { class: 'case-main' }, head, desc, result, dups, actions),
      h('div', { class: 'case-side' }, tl, comment))));
    section.setAttribute('data-version', String(c.version));
    section.setAttribute('data-state', c.state);
  }

  function commentBox() {
    const ta = h('textarea', { id: 'case-comment', rows: '2', maxlength: '2000', i18nPh: 'case.comment.ph', 'data-testid': 'case-comment' });
    const alert = h('p', { class: 'form-error', id: 'case-comment-error', role: 'alert', hidden: true });
    const go = h('button', { type: 'submit', class: 'btn', id: 'case-comment-submit', i18n: 'case.comment.send' });
    const form = h('form', { class: 'form card', id: 'case-comment-form', novalidate: true },
      h('label', { for: 'case-comment', class: 'sub-title', i18n: 'case.comment.title' }), ta, alert, go);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearError(alert);
      if (!ta.value.trim()) { ta.focus(); return; }
      setBusy(go, true);
      try {
        await send('comment', { text: ta.value.trim() }, (err) => showError(alert, err, 'case.act'));
      } finally {
        setBusy(go, false);
      }
    });
    return form;
  }

  load();
  return () => { alive = false; };
}

route('/cases/:id', viewCase, { nav: 'cases', title: 'case.title.short', perm: 'cases.read' });
