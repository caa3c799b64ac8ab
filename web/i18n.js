// i18n.js — every user-visible string of the web UI, and the few functions
// that put them on the page.
//
// Chinese is the working language of the grid; English is the second one.
// Markup carries keys, never text chosen in code:
//   data-i18n="key"              -> textContent
//   data-i18n-placeholder="key"  -> placeholder
//   data-i18n-aria-label="key"   -> aria-label
//   data-i18n-title="key"        -> title
//   data-i18n-vars='{"n":3}'     -> values for {n} in any of the above
// so switching language is one pass over the document (applyI18n), with no
// reload and no view re-rendering. index.html also holds the Chinese text
// itself, which is what a visitor sees if the scripts fail to load.

export const LANGS = ['zh-CN', 'en'];
export const DEFAULT_LANG = 'zh-CN';
const STORAGE_KEY = 'wg_lang';

export const messages = {
  // Shell
  'app.name': { zh: '网格通', en: 'Wangge' },
  'app.tagline': { zh: '基层网格化治理平台', en: 'Grid-based community governance' },
  'app.skip': { zh: '跳到主要内容', en: 'Skip to main content' },
  'lang.switch': { zh: 'EN', en: '中文' },
  'lang.switch.label': { zh: 'Switch to English', en: '切换到中文' },
  'user.login': { zh: '登录', en: 'Log in' },
  'user.label': { zh: '用户', en: 'User' },

  // Navigation
  'nav.label': { zh: '主导航', en: 'Main navigation' },
  'nav.home': { zh: '首页', en: 'Home' },
  'nav.cases': { zh: '事件', en: 'Cases' },
  'nav.register': { zh: '台账', en: 'Register' },
  'nav.campaigns': { zh: '排查', en: 'Campaigns' },
  'nav.command': { zh: '指挥', en: 'Command' },
  'nav.soon': { zh: '即将上线', en: 'Coming soon' },
  'nav.soon.short': { zh: '即将上线', en: 'Soon' },

  // Home
  'home.title': { zh: '首页', en: 'Home' },
  'home.welcome': { zh: '欢迎使用网格通', en: 'Welcome to Wangge' },
  'home.lead': {
    zh: '居民点单、网格员上报、部门办理、指挥部调度，一张网格管到底。',
    en: 'Residents ask, grid workers report, departments act, the command centre coordinates — one grid for it all.'
  },
  'home.status': { zh: '系统状态', en: 'System status' },
  'home.recheck': { zh: '重新检测', en: 'Check again' },
  'home.modules': { zh: '功能模块', en: 'Modules' },
  'health.loading': { zh: '正在检测…', en: 'Checking…' },
  'health.ok': { zh: '服务正常', en: 'Service OK' },
  'health.error': { zh: '服务异常', en: 'Service unavailable' },

  // Modules (home tiles and coming-soon pages)
  'mod.cases.desc': {
    zh: '居民诉求与网格上报：派单、接单、办理、评价、督办。',
    en: 'Requests and grid reports: dispatch, accept, resolve, rate, supervise.'
  },
  'mod.register.desc': {
    zh: '住户、人员与驻区单位台账，批量导入导出。',
    en: 'Households, persons and units, with bulk import and export.'
  },
  'mod.campaigns.desc': {
    zh: '入户排查、健康随访、每日上报，不漏一户、不漏一人。',
    en: 'Door-to-door screening, follow-ups and daily reports — no household missed.'
  },
  'mod.command.desc': {
    zh: '实时态势、每日简报与网格员考核。',
    en: 'Live overview, daily briefing and grid worker assessment.'
  },
  'soon.lead': {
    zh: '该模块正在建设中，即将上线。',
    en: 'This module is being built and will be available soon.'
  },
  'soon.back': { zh: '返回首页', en: 'Back to home' },

  // Not found
  'notfound.title': { zh: '页面不存在', en: 'Page not found' },
  'notfound.lead': { zh: '您访问的页面不存在或已移动。', en: 'The page you asked for does not exist or has moved.' },

  // Log-in
  'login.title': { zh: '登录', en: 'Log in' },
  'login.lead': { zh: '请使用管理员分配的账号登录。', en: 'Sign in with the account your administrator gave you.' },
  'login.user': { zh: '账号', en: 'Account' },
  'login.user.ph': { zh: '请输入账号', en: 'Your account' },
  'login.password': { zh: '密码', en: 'Password' },
  'login.password.ph': { zh: '请输入密码', en: 'Your password' },
  'login.submit': { zh: '登录', en: 'Log in' },
  'login.submitting': { zh: '正在登录…', en: 'Logging in…' },
  'login.missing': { zh: '请输入账号和密码', en: 'Enter your account and password' },
  'login.help': { zh: '忘记密码请联系本级管理员。', en: 'Forgot your password? Ask your administrator.' },
  // Codes answered by POST /api/v1/session, read in this context first.
  'login.err.not_found': { zh: '登录服务尚未启用', en: 'Sign-in is not available yet' },

  // Error codes of the API envelope (and of api() itself), any context.
  'err.invalid_credentials': { zh: '账号或密码错误', en: 'Wrong account or password' },
  'err.too_many_requests': { zh: '尝试次数过多，请稍后再试', en: 'Too many attempts, please try again later' },
  'err.network': { zh: '网络连接失败，请检查网络后重试', en: 'No connection. Check the network and try again' },
  'err.timeout': { zh: '请求超时，请稍后重试', en: 'The request timed out, please try again' },
  'err.http_error': { zh: '服务器暂时无法处理请求（{status}）', en: 'The server could not handle the request ({status})' },
  'err.bad_response': { zh: '服务器返回了无法识别的内容', en: 'The server sent an answer that could not be read' },
  'err.unknown': { zh: '操作失败，请稍后重试', en: 'Something went wrong, please try again' }
};

let current = DEFAULT_LANG;

function readStored() {
  try {
    const v = window.localStorage.getItem(STORAGE_KEY);
    return LANGS.includes(v) ? v : null;
  } catch {
    return null; // storage disabled (private mode, policy): fall back to the default
  }
}

export function getLang() {
  return current;
}

export function has(key) {
  return Object.prototype.hasOwnProperty.call(messages, key);
}

// t("err.http_error", {status: 502}) -> text in the current language.
// A missing key shows the key itself, so the gap is visible rather than blank.
export function t(key, vars) {
  const entry = has(key) ? messages[key] : null;
  let s = entry ? (current === 'en' ? entry.en : entry.zh) : key;
  if (vars) {
    s = s.replace(/\{(\w+)\}/g, (m, name) =>
      Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m);
  }
  return s;
}

function varsOf(el) {
  const raw = el.getAttribute('data-i18n-vars');
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

const ATTRS = [
  ['data-i18n-placeholder', 'placeholder'],
  ['data-i18n-aria-label', 'aria-label'],
  ['data-i18n-title', 'title']
];

// Translates root and everything below it. Views call this on the fragment
// they build, setLang calls it on the whole document.
export function applyI18n(root = document) {
  const sel = '[data-i18n],[data-i18n-placeholder],[data-i18n-aria-label],[data-i18n-title]';
  const els = Array.from(root.querySelectorAll(sel));
  if (root.nodeType === 1 && root.matches(sel)) els.push(root);
  for (const el of els) {
    const vars = varsOf(el);
    const key = el.getAttribute('data-i18n');
    if (key) el.textContent = t(key, vars);
    for (const [data, attr] of ATTRS) {
      const k = el.getAttribute(data);
      if (k) el.setAttribute(attr, t(k, vars));
    }
  }
}

// Switches the page language without reloading; remembers the choice.
export function setLang(lang, { remember = true } = {}) {
  current = LANGS.includes(lang) ? lang : DEFAULT_LANG;
  document.documentElement.lang = current;
  if (remember) {
    try {
      window.localStorage.setItem(STORAGE_KEY, current);
    } catch {
      /* not remembered; the switch still works for this page */
    }
  }
  applyI18n(document);
  document.dispatchEvent(new CustomEvent('wg:lang', { detail: { lang: current } }));
}

// The language at start-up: the remembered one, else Chinese.
export function initLang() {
  setLang(readStored() || DEFAULT_LANG, { remember: false });
}
