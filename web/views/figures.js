// views/figures.js — #/figures: the cases' figures for commanders and staff
// (GET /api/v1/stats/cases). Period and area pickers, group-by tabs, the
// KPI tiles, bar charts per group, the department and grid rankings with
// their method, CSV/XLSX downloads, and a wall-screen mode that fills the
// screen and refreshes itself.
//
// Charts: Chart.js (MIT, web/vendor/chart.umd.min.js, 210 KB, 71 KB as the
// server sends it gzipped), loaded by a script element only when this page
// first draws, so no other page pays for it. It draws on a canvas and sets
// styles through the CSSOM only, which the CSP (no inline styles) allows.

import { api, route, t } from '../app.js';
import { getLang } from '../i18n.js';
import { getSession } from '../session.js';
import { h, tr, select, setOptions, withQuery, field } from './util.js';

const GROUPS = ['area', 'department', 'category', 'source', 'period'];
const KPIS = [
  ['received', 'count'], ['open', 'count'], ['overdue', 'count'], ['response_rate', 'rate'],
  ['on_time_rate', 'rate'], ['resolution_rate', 'rate'], ['satisfaction_rate', 'rate'], ['avg_handling_hours', 'hours']
];
const REFRESH_MS = 60000;

let chartLib = null;

function loadChartJs() {
  if (window.Chart) return Promise.resolve(window.Chart);
  if (!chartLib) {
    chartLib = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/vendor/chart.umd.min.js';
      s.async = true;
      s.onload = () => (window.Chart ? resolve(window.Chart) : reject(new Error('Chart.js did not load')));
      s.onerror = () => { chartLib = null; reject(new Error('Chart.js did not load')); };
      document.head.append(s);
    });
  }
  return chartLib;
}

// A rate comes as {rate, numerator, denominator}; a count or hours plainly.
function num(v) {
  return v !== null && typeof v === 'object' ? v.rate : v;
}

function fmt(value, kind) {
  value = num(value);
  if (value === null || value === undefined || Number.isNaN(Number(value))) return '—';
  if (kind === 'rate') return `${(Number(value) * 100).toFixed(1)}%`;
  if (kind === 'hours') return Number(value).toFixed(1);
  return String(value);
}

// YYYY-MM-DD of a Date, in Beijing time.
function ymd(d) {
  return new Date(d.getTime() + 8 * 3600000).toISOString().slice(0, 10);
}

function presetRange(preset) {
  const now = new Date();
  const today = ymd(now);
  const back = (days) => ymd(new Date(now.getTime() - days * 86400000));
  if (preset === '7d') return [back(6), today];
  if (preset === 'month') return [`${today.slice(0, 7)}-01`, today];
  if (preset === 'year') return [`${today.slice(0, 4)}-01-01`, today];
  return [back(29), today];
}

function viewFigures(view, params, query) {
  let alive = true;
  const scope = getSession().scope;
  let groupBy = GROUPS.includes(query.get('group_by')) ? query.get('group_by') : 'area';
  let charts = [];
  let timer = 0;

  const preset = select('fig-preset', [['30d', 'fig.preset.30d'], ['7d', 'fig.preset.7d'], ['month', 'fig.preset.month'], ['year', 'fig.preset.year'], ['custom', 'fig.preset.custom']]);
  const from = h('input', { type: 'date', id: 'fig-from', 'data-testid': 'fig-from' });
  const to = h('input', { type: 'date', id: 'fig-to', 'data-testid': 'fig-to' });
  [from.value, to.value] = presetRange('30d');
  const area = select('fig-area', scope ? [[scope.code, null, scope.name]] : [['', 'fig.area.all']]);
  const period = select('fig-period', [['day', 'fig.period.day'], ['week', 'fig.period.week'], ['month', 'fig.period.month']]);
  const periodField = field('fig.field.period', period);
  const filters = h('form', { class: 'card fig-filters', id: 'fig-filters', novalidate: true },
    field('fig.field.preset', preset), field('fig.field.from', from), field('fig.field.to', to), field('fig.field.area', area), periodField);
  const tabs = h('div', { class: 'tabs', role: 'tablist', id: 'fig-tabs' });
  const downloads = h('p', { class: 'fig-downloads' });
  const wall = h('button', { type: 'button', class: 'btn btn-small', id: 'fig-wall', 'data-testid': 'fig-wall', i18n: 'fig.wall' });
  const out = h('div', { id: 'fig-out', 'aria-live': 'polite' });
  const section = h('section', { class: 'view view-figures', id: 'figures', 'aria-labelledby': 'figures-title' },
    h('div', { class: 'section-head' }, h('h1', { class: 'view-title', id: 'figures-title', tabindex: '-1', i18n: 'fig.title' }), wall),
    filters, tabs, downloads, out);
  view.append(section);

  if (scope) {
    api('GET', withQuery('/api/v1/areas', { parent: scope.code, limit: 200 })).then((d) => {
      if (!alive) return;
      setOptions(area, [[scope.code, null, scope.name], ...(d.items || []).map((a) => [a.code, null, `— ${a.name}`])]);
    }).catch(() => {});
  }

  const params0 = (format) => ({
    area: area.value, from: from.value, to: to.value, group_by: groupBy,
    period: groupBy === 'period' ? period.value : '', format
  });

  function paintTabs() {
    tabs.replaceChildren(...GROUPS.map((g) => h('button', {
      type: 'button', class: 'tab', role: 'tab', id: `fig-tab-${g}`, 'aria-selected': g === groupBy ? 'true' : 'false',
      i18n: `fig.group.${g}`, on: { click: () => { groupBy = g; paintTabs(); load(); } }
    })));
    tr(tabs);
    periodField.hidden = groupBy !== 'period';
  }

  function destroyCharts() {
    for (const c of charts) c.destroy();
    charts = [];
  }

  async function drawCharts(groups, holder) {
    if (!groups.length) return;
    let Chart;
    try {
      Chart = await loadChartJs();
    } catch {
      holder.replaceChildren(tr(h('p', { class: 'muted', i18n: 'fig.chart.failed' })));
      return;
    }
    if (!alive || !holder.isConnected) return;
    const labels = groups.map((g) => g.name || g.key);
    const c1 = h('canvas', { id: 'fig-chart-received', role: 'img', i18nAria: 'fig.chart.received' });
    const c2 = h('canvas', { id: 'fig-chart-rates', role: 'img', i18nAria: 'fig.chart.rates' });
    holder.replaceChildren(tr(h('div', { class: 'fig-charts' },
      h('figure', { class: 'card fig-chart' }, h('figcaption', { i18n: 'fig.chart.received' }), h('div', { class: 'fig-canvas' }, c1)),
      h('figure', { class: 'card fig-chart' }, h('figcaption', { i18n: 'fig.chart.rates' }), h('div', { class: 'fig-canvas' }, c2)))));
    const pct = (k) => groups.map((g) => { const v = num(g[k]); return v === null || v === undefined ? null : Math.round(v * 1000) / 10; });
    const common = { responsive: true, maintainAspectRatio: false, animation: false };
    destroyCharts();
    charts.push(new Chart(c1, {
      type: 'bar',
      data: { labels, datasets: [
        { label: t('fig.kpi.received'), data: groups.map((g) => g.received || 0), backgroundColor: '#a3171f' },
        { label: t('fig.kpi.overdue'), data: groups.map((g) => g.overdue || 0), backgroundColor: '#e59a2f' }
      ] },
      options: { ...common, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    }));
    charts.push(new Chart(c2, {
      type: 'bar',
      data: { labels, datasets: [
        { label: t('fig.kpi.on_time_rate'), data: pct('on_time_rate'), backgroundColor: '#0b57d0' },
        { label: t('fig.kpi.resolution_rate'), data: pct('resolution_rate'), backgroundColor: '#0d6e37' },
        { label: t('fig.kpi.satisfaction_rate'), data: pct('satisfaction_rate'), backgroundColor: '#a3171f' }
      ] },
      options: { ...common, scales: { y: { beginAtZero: true, max: 100, ticks: { callback: (v) => `${v}%` } } } }
    }));
  }

  function rankingTable(id, titleKey, rows) {
    return h('div', { class: 'card fig-rank' }, h('h2', { class: 'sub-title', i18n: titleKey }),
      rows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'data-table rank-table', id },
        h('thead', {}, h('tr', {}, ['rank', 'name', 'score', 'n', 'rate'].map((k) => h('th', { scope: 'col', i18n: `fig.rank.${k}` })))),
        h('tbody', {}, rows.map((r, i) => h('tr', {},
          h('td', { class: 'num', text: String(i + 1) }), h('td', { text: r.name || r.key || '' }),
          h('td', { class: 'num', text: r.score === null || r.score === undefined ? '—' : (Number(r.score) * 100).toFixed(1) }),
          h('td', { class: 'num', text: String(r.n ?? '—') }), h('td', { class: 'num', text: fmt(r.rate, 'rate') }))))))
        : h('p', { class: 'muted', i18n: 'fig.rank.empty' }));
  }

  let seq = 0;
  async function load() {
    const mine = ++seq;
    const q = params0('json');
    downloads.replaceChildren(tr(h('span', { class: 'muted small', i18n: 'fig.download' })), ' ',
      h('a', { class: 'btn btn-small', id: 'fig-csv', href: withQuery('/api/v1/stats/cases', params0('csv')), download: '', text: 'CSV' }), ' ',
      h('a', { class: 'btn btn-small', id: 'fig-xlsx', href: withQuery('/api/v1/stats/cases', params0('xlsx')), download: '', text: 'XLSX' }));
    out.setAttribute('aria-busy', 'true');
    let d;
    try {
      d = await api('GET', withQuery('/api/v1/stats/cases', q));
    } catch (err) {
      if (!alive || mine !== seq) return;
      out.removeAttribute('aria-busy');
      destroyCharts();
      // 404 without a field: the stats route itself is not on this server.
      const missing = (err.status === 404 && !err.field) || err.status === 405;
      out.replaceChildren(tr(h('div', { class: 'card message-card', id: missing ? 'figures-unavailable' : 'figures-error', 'data-testid': 'figures-unavailable' },
        h('p', { class: 'lead', i18n: missing ? 'fig.unavailable' : 'fig.failed' }))));
      downloads.hidden = true;
      return;
    }
    if (!alive || mine !== seq) return;
    downloads.hidden = false;
    out.removeAttribute('aria-busy');
    const totals = d.totals || {};
    const groups = Array.isArray(d.groups) ? d.groups : [];
    const rankings = d.rankings || {};
    const chartHolder = h('div', { id: 'fig-chart-holder' });
    const m = d.method || (d.rankings && d.rankings.method);
    const method = m ? (getLang() === 'en' ? m.en : m.zh) || m.zh || '' : '';
    out.replaceChildren(tr(h('div', { class: 'fig-body' },
      h('ul', { class: 'kpi-tiles', id: 'figures-kpis', 'data-testid': 'figures-kpis' }, KPIS.map(([k, kind]) => h('li', { class: `kpi kpi-${k}`, 'data-kpi': k },
        h('span', { class: 'kpi-value', id: `kpi-${k}`, text: fmt(totals[k], kind) }),
        h('span', { class: 'kpi-label', i18n: `fig.kpi.${k}` })))),
      chartHolder,
      groups.length ? null : h('p', { class: 'muted', id: 'fig-groups-empty', i18n: 'fig.groups.empty' }),
      h('div', { class: 'fig-ranks' },
        rankingTable('fig-rank-departments', 'fig.rank.departments', Array.isArray(rankings.departments) ? rankings.departments : []),
        rankingTable('fig-rank-grids', 'fig.rank.grids', Array.isArray(rankings.grids) ? rankings.grids : [])),
      h('details', { class: 'card fig-method', id: 'fig-method' }, h('summary', { i18n: 'fig.method' }),
        h('p', { class: 'small', text: method || t('fig.method.none') })))));
    drawCharts(groups, chartHolder);
  }

  preset.addEventListener('change', () => {
    if (preset.value !== 'custom') [from.value, to.value] = presetRange(preset.value);
    load();
  });
  for (const el of [from, to]) el.addEventListener('change', () => { preset.value = 'custom'; load(); });
  area.addEventListener('change', load);
  period.addEventListener('change', load);
  filters.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });

  // The commander's wall: the page alone, large, refreshing itself.
  const setWall = (on) => {
    document.body.classList.toggle('wall-mode', on);
    wall.setAttribute('data-i18n', on ? 'fig.wall.exit' : 'fig.wall');
    tr(wall);
    window.clearInterval(timer);
    if (on) timer = window.setInterval(() => { if (alive) load(); }, REFRESH_MS);
  };
  wall.addEventListener('click', () => {
    const on = !document.body.classList.contains('wall-mode');
    setWall(on);
    if (on && section.requestFullscreen) section.requestFullscreen().catch(() => {});
    else if (!on && document.fullscreenElement) document.exitFullscreen().catch(() => {});
  });
  const onFs = () => { if (!document.fullscreenElement && document.body.classList.contains('wall-mode')) setWall(false); };
  document.addEventListener('fullscreenchange', onFs);
  const onLang = () => { if (alive) load(); }; // chart labels are drawn, not translated in place
  document.addEventListener('wg:lang', onLang);

  paintTabs();
  load();
  return () => {
    alive = false;
    window.clearInterval(timer);
    document.body.classList.remove('wall-mode');
    document.removeEventListener('fullscreenchange', onFs);
    document.removeEventListener('wg:lang', onLang);
    destroyCharts();
  };
}

route('/figures', viewFigures, { nav: 'figures', title: 'fig.title', perm: 'cases.stats' });
