// views/follow.js — #/follow/<code>: the resident's page, no account. The
// state, the public timeline (departments, never clerks' names), the result
// and photos; the rating form (是否解决 / 是否满意 / comment) once the case
// is resolved; a comment; withdrawing while nobody holds it yet.

import { api, route, newIdempotencyKey, showError, clearError } from '../app.js';
import { h, tr, setBusy, flash, formatTime } from './util.js';
import { stateBadge, actionLabel, categoryLabel, photoGrid, OUTCOMES, SATISFACTIONS, loadCategories } from './casekit.js';

function choiceGroup(id, values, prefix) {
  const box = h('div', { class: 'choice-row choice-big', id, role: 'radiogroup', tabindex: '-1', 'aria-labelledby': `${id}-legend` },
    values.map((v) => h('label', { class: 'choice', for: `${id}-${v}` },
      h('input', { type: 'radio', name: id, value: v, id: `${id}-${v}`, 'data-testid': `${id}-${v}` }), h('span', { i18n: `${prefix}.${v}` }))));
  const err = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true });
  return {
    el: h('fieldset', { class: 'field' }, h('legend', { id: `${id}-legend`, i18n: `${prefix}.label` }), box, err),
    box, err,
    value: () => (box.querySelector('input:checked') || {}).value || ''
  };
}

function viewFollow(view, params) {
  const code = params.code;
  let alive = true;
  let c = null;
  const title = h('h1', { class: 'view-title', id: 'follow-title', tabindex: '-1', i18n: 'case.follow.title' });
  const notice = h('p', { class: 'notice', id: 'follow-notice', role: 'status', hidden: true });
  const body = h('div', { id: 'follow-body' }, h('p', { class: 'loading', role: 'status' }, h('span', { i18n: 'common.loading' })));
  view.append(h('section', { class: 'view view-follow', 'aria-labelledby': 'follow-title' }, title, notice, body));

  const path = `/api/v1/public/cases/${encodeURIComponent(code)}`;

  async function load(noticeKey) {
    try {
      const [d] = await Promise.all([api('GET', path), loadCategories().catch(() => null)]);
      if (!alive) return;
      c = d;
      render();
      if (noticeKey) flash(notice, noticeKey);
    } catch (err) {
      if (!alive) return;
      const p = h('p', { class: 'form-error', id: 'follow-error', role: 'alert' });
      body.replaceChildren(p);
      showError(p, err.status === 404 ? 'case.follow.unknown' : err);
    }
  }

  async function send(action, extra, alert, button) {
    clearError(alert);
    setBusy(button, true);
    try {
      c = await api('POST', `${path}/actions`, { action, version: c.version, ...extra }, { idempotencyKey: newIdempotencyKey() });
      if (!alive) return;
      render();
      flash(notice, `case.follow.done.${action}`);
    } catch (err) {
      if (!alive) return;
      if (err.status === 409) { await load('case.conflict.reloaded'); return; }
      showError(alert, err, 'case.act');
    } finally {
      if (button.isConnected) setBusy(button, false);
    }
  }

  function rateForm() {
    const outcome = choiceGroup('rate-outcome', OUTCOMES, 'case.outcome');
    const sat = choiceGroup('rate-satisfaction', SATISFACTIONS, 'case.satisfaction');
    const text = h('textarea', { id: 'rate-comment', rows: '3', maxlength: '2000', i18nPh: 'case.rate.comment.ph', 'data-testid': 'rate-comment' });
    const alert = h('p', { class: 'form-error', id: 'rate-error', role: 'alert', hidden: true });
    const go = h('button', { type: 'submit', class: 'btn btn-primary btn-block', id: 'rate-submit', 'data-testid': 'rate-submit', i18n: 'case.rate.submit' });
    const form = h('form', { class: 'form card rate-form', id: 'rate-form', 'data-testid': 'rate-form', novalidate: true },
      h('h2', { class: 'section-title', i18n: 'case.rate.title' }), outcome.el, sat.el,
      h('div', { class: 'field' }, h('label', { for: 'rate-comment' }, h('span', { i18n: 'case.rate.comment' }), h('span', { class: 'field-optional', i18n: 'common.optional' })), text),
      alert, go);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      let first = null;
      for (const g of [outcome, sat]) {
        clearError(g.err);
        if (!g.value()) { showError(g.err, 'case.rate.choose'); first = first || g.box; }
      }
      if (first) { first.focus(); return; }
      const extra = { rating_outcome: outcome.value(), satisfaction: sat.value() };
      if (text.value.trim()) extra.text = text.value.trim();
      send('rate', extra, alert, go);
    });
    return form;
  }

  function commentForm() {
    const text = h('textarea', { id: 'follow-comment', rows: '2', maxlength: '2000', i18nPh: 'case.comment.ph' });
    const alert = h('p', { class: 'form-error', id: 'follow-comment-error', role: 'alert', hidden: true });
    const go = h('button', { type: 'submit', class: 'btn', id: 'follow-comment-submit', i18n: 'case.comment.send' });
    const form = h('form', { class: 'form card', id: 'follow-comment-form', novalidate: true },
      h('label', { for: 'follow-comment', class: 'sub-title', i18n: 'case.follow.comment' }), text, alert, go);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!text.value.trim()) { text.focus(); return; }
      send('comment', { text: text.value.trim() }, alert, go);
    });
    return form;
  }

  function withdrawBox() {
    const alert = h('p', { class: 'form-error', id: 'withdraw-error', role: 'alert', hidden: true });
    const confirm = h('button', { type: 'button', class: 'btn btn-danger-solid', id: 'withdraw-confirm', i18n: 'case.withdraw.confirm', hidden: true });
    const go = h('button', { type: 'button', class: 'btn btn-danger', id: 'withdraw', 'data-testid': 'withdraw', i18n: 'case.withdraw' });
    go.addEventListener('click', () => { confirm.hidden = false; go.hidden = true; confirm.focus(); });
    confirm.addEventListener('click', () => send('withdraw', {}, alert, confirm));
    return h('div', { class: 'card withdraw-box' }, h('p', { class: 'muted small', i18n: 'case.withdraw.lead' }), go, confirm, alert);
  }

  function render() {
    const allowed = new Set(c.allowed_actions || []);
    const intro = (c.photos || []).filter((p) => !p.event_id);
    const later = (c.photos || []).filter((p) => p.event_id);
    body.replaceChildren(tr(h('div', { class: 'follow-layout' },
      h('div', { class: 'card follow-head' },
        h('p', {}, stateBadge(c.state, 'follow-state'), ' ', h('span', { class: 'muted small', text: `#${c.id}` })),
        h('p', { class: 'follow-state-lead', i18n: `case.follow.state.${c.state}` }),
        h('h2', { class: 'case-head-title', text: c.title }),
        h('p', { class: 'muted small' }, categoryLabel(c.category), ' · ', h('span', { text: c.area ? c.area.name : '' }), ' · ',
          h('span', { text: formatTime(c.submitted_at) })),
        h('p', { class: 'case-desc', text: c.description }),
        photoGrid(intro, 'follow-photos'),
        c.lead_department ? h('p', { class: 'small' }, h('span', { class: 'muted', i18n: 'case.field.lead_department' }), ' ', h('strong', { text: c.lead_department.name })) : null),
      c.result ? h('div', { class: 'card case-result', id: 'follow-result' },
        h('h2', { class: 'sub-title', i18n: 'case.field.result' }), h('p', { text: c.result }), photoGrid(later, 'follow-result-photos'),
        c.rating ? h('p', { class: 'muted', id: 'follow-rating' }, h('span', { i18n: `case.outcome.${c.rating.outcome}` }), ' · ',
          h('span', { i18n: `case.satisfaction.${c.rating.satisfaction}` })) : null) : null,
      allowed.has('rate') ? rateForm() : null,
      h('div', { class: 'card' }, h('h2', { class: 'sub-title', i18n: 'case.timeline' }),
        h('ol', { class: 'timeline', id: 'follow-timeline' }, (c.timeline || []).map((e) => h('li', { class: 'tl-item', 'data-action': e.action },
          h('span', { class: 'tl-dot', 'aria-hidden': 'true' }),
          h('div', { class: 'tl-body' },
            h('p', { class: 'tl-head' }, h('strong', {}, actionLabel(e.action)), e.from !== e.to ? [' ', stateBadge(e.to)] : null),
            h('p', { class: 'tl-meta muted small' }, h('time', { datetime: e.at, text: formatTime(e.at) }), e.unit ? ` · ${e.unit}` : ''),
            e.note ? h('p', { class: 'tl-note', text: e.note }) : null))))),
      allowed.has('comment') ? commentForm() : null,
      allowed.has('withdraw') ? withdrawBox() : null)));
  }

  load();
  return () => { alive = false; };
}

route('/follow/:code', viewFollow, { nav: null, title: 'case.follow.title' });
