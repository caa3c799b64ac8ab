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
  'user.logout': { zh: '退出登录', en: 'Log out' },
  'user.role': { zh: '角色', en: 'Role' },
  'user.scope': { zh: '管辖范围', en: 'Scope' },

  // Navigation
  'nav.label': { zh: '主导航', en: 'Main navigation' },
  'nav.home': { zh: '首页', en: 'Home' },
  'nav.cases': { zh: '事件', en: 'Cases' },
  'nav.register': { zh: '台账', en: 'Register' },
  'nav.campaigns': { zh: '排查', en: 'Campaigns' },
  'nav.command': { zh: '指挥', en: 'Command' },
  'nav.areas': { zh: '区域', en: 'Areas' },
  'nav.users': { zh: '用户', en: 'Users' },
  'nav.units': { zh: '单位', en: 'Units' },
  'nav.audit': { zh: '审计', en: 'Audit' },
  'nav.more': { zh: '更多', en: 'More' },
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

  // Guard pages
  'forbidden.title': { zh: '没有权限', en: 'Not allowed' },
  'forbidden.lead': { zh: '您的账号没有访问此页面的权限，如有需要请联系本级管理员。', en: 'Your account may not open this page. Ask your administrator if you need it.' },
  'offline.title': { zh: '无法连接服务器', en: 'Cannot reach the server' },
  'offline.lead': { zh: '暂时无法确认您的登录状态，请检查网络后重试。', en: 'Your sign-in could not be checked. Check the network and try again.' },
  'offline.retry': { zh: '重试', en: 'Try again' },

  // Shared words
  'common.loading': { zh: '正在加载…', en: 'Loading…' },
  'common.more': { zh: '加载更多', en: 'Load more' },
  'common.save': { zh: '保存', en: 'Save' },
  'common.saving': { zh: '正在保存…', en: 'Saving…' },
  'common.cancel': { zh: '取消', en: 'Cancel' },
  'common.close': { zh: '关闭', en: 'Close' },
  'common.edit': { zh: '编辑', en: 'Edit' },
  'common.search': { zh: '查询', en: 'Search' },
  'common.reset': { zh: '重置', en: 'Reset' },
  'common.actions': { zh: '操作', en: 'Actions' },
  'common.optional': { zh: '（选填）', en: ' (optional)' },

  // Roles and area levels
  'role.admin': { zh: '系统管理员', en: 'Administrator' },
  'role.commander': { zh: '指挥中心', en: 'Command centre' },
  'role.staff': { zh: '社区/街道工作人员', en: 'Community/street staff' },
  'role.grid_worker': { zh: '网格员', en: 'Grid worker' },
  'role.handler': { zh: '部门/单位', en: 'Department/unit' },
  'role.sampler': { zh: '采样员', en: 'Sampler' },
  'role.checkpoint': { zh: '卡口人员', en: 'Checkpoint staff' },
  'role.volunteer': { zh: '志愿者', en: 'Volunteer' },
  'role.resident': { zh: '居民', en: 'Resident' },
  'role.anonymous': { zh: '未登录', en: 'Not logged in' },
  'level.root': { zh: '全域', en: 'All areas' },
  'level.city': { zh: '市', en: 'City' },
  'level.county': { zh: '县/区', en: 'County/district' },
  'level.town': { zh: '镇/街道', en: 'Town/street' },
  'level.community': { zh: '社区/村', en: 'Community/village' },
  'level.grid': { zh: '网格', en: 'Grid' },
  'level.building': { zh: '楼栋', en: 'Building' },
  'unit.type.department': { zh: '部门', en: 'Department' },
  'unit.type.unit': { zh: '驻区单位', en: 'Stationed unit' },

  // Areas
  'areas.title': { zh: '区域', en: 'Areas' },
  'areas.breadcrumbs': { zh: '区域路径', en: 'Area path' },
  'areas.children.title': { zh: '下级区域', en: 'Areas below' },
  'areas.children.n': { zh: '{n} 个下级', en: '{n} below' },
  'areas.children.none': { zh: '无下级', en: 'None below' },
  'areas.empty': { zh: '该区域下暂无下级区域。', en: 'There are no areas below this one yet.' },
  'areas.notfound.title': { zh: '区域不存在', en: 'Area not found' },
  'areas.notfound.lead': { zh: '该区域不存在，或不在您的管辖范围内。', en: 'This area does not exist or is outside your scope.' },
  'areas.notfound.back': { zh: '返回我的区域', en: 'Back to my area' },
  'areas.rename': { zh: '重命名', en: 'Rename' },
  'areas.renamed': { zh: '已重命名', en: 'Renamed' },
  'areas.delete': { zh: '删除', en: 'Delete' },
  'areas.delete.question': { zh: '确定删除“{name}”（{code}）吗？删除后不能恢复。', en: 'Delete “{name}” ({code})? This cannot be undone.' },
  'areas.delete.confirm': { zh: '确认删除', en: 'Yes, delete' },
  'areas.add.title': { zh: '新增下级', en: 'Add an area below' },
  'areas.add.lead': { zh: '在“{name}”下新增一个下级区域。', en: 'Add an area below “{name}”.' },
  'areas.add.submit': { zh: '新增下级', en: 'Add area' },
  'areas.add.done': { zh: '已新增“{name}”', en: 'Added “{name}”' },
  'areas.field.code': { zh: '区域代码', en: 'Area code' },
  'areas.field.code.ph': { zh: '如 {code}001', en: 'e.g. {code}001' },
  'areas.field.code.hint': { zh: '建议使用行政区划代码，创建后不能修改。', en: 'Preferably the administrative division code; it cannot be changed later.' },
  'areas.field.name': { zh: '名称', en: 'Name' },
  'areas.field.newname': { zh: '新名称', en: 'New name' },
  'areas.field.level': { zh: '层级', en: 'Level' },
  'areas.err.area_not_empty': { zh: '该区域下还有下级或数据，不能删除', en: 'This area still has areas or data below it and cannot be deleted' },
  'areas.field.code.err.invalid_value': { zh: '区域代码为 1–48 位字母、数字、_ 或 -', en: 'An area code is 1–48 letters, digits, _ or -' },
  'areas.field.name.err.invalid_value': { zh: '名称为 1–64 个字符', en: 'A name is 1–64 characters' },
  'areas.field.parent_code.err.invalid_value': { zh: '上级区域不存在或不在您的管辖范围内', en: 'No such parent area within your scope' },
  'areas.field.code.err.conflict': { zh: '该区域代码已存在', en: 'This area code already exists' },
  'areas.field.level.err.invalid_value': { zh: '下级的层级必须低于本区域', en: 'The level must be below this area’s level' },

  // Users
  'users.title': { zh: '用户', en: 'Users' },
  'users.lead': { zh: '{scope}范围内的账号。', en: 'Accounts within {scope}.' },
  'users.filter.q': { zh: '按账号或姓名查找', en: 'Find by account or name' },
  'users.filter.q.ph': { zh: '账号或姓名开头', en: 'Account or name begins with' },
  'users.filter.role': { zh: '按角色筛选', en: 'Filter by role' },
  'users.filter.role.all': { zh: '全部角色', en: 'All roles' },
  'users.filter.active': { zh: '按状态筛选', en: 'Filter by status' },
  'users.filter.active.all': { zh: '全部状态', en: 'Any status' },
  'users.col.name': { zh: '姓名', en: 'Name' },
  'users.col.role': { zh: '角色', en: 'Role' },
  'users.col.area': { zh: '所属区域', en: 'Area' },
  'users.col.unit': { zh: '单位', en: 'Unit' },
  'users.col.phone': { zh: '电话', en: 'Phone' },
  'users.col.status': { zh: '状态', en: 'Status' },
  'users.status.active': { zh: '启用', en: 'Active' },
  'users.status.disabled': { zh: '已停用', en: 'Disabled' },
  'users.empty': { zh: '没有符合条件的用户。', en: 'No users match.' },
  'users.create.title': { zh: '新增用户', en: 'New user' },
  'users.create.submit': { zh: '创建用户', en: 'Create user' },
  'users.create.done': { zh: '已创建 {name}（{login}）', en: 'Created {name} ({login})' },
  'users.field.login': { zh: '登录账号', en: 'Account' },
  'users.field.login.hint': { zh: '2–64 位字母、数字或 . _ - @，用于登录，创建后不能修改。', en: '2–64 letters, digits or . _ - @; used to log in, cannot be changed later.' },
  'users.field.name': { zh: '姓名', en: 'Name' },
  'users.field.role': { zh: '角色', en: 'Role' },
  'users.field.role.choose': { zh: '请选择角色', en: 'Choose a role' },
  'users.field.area': { zh: '所属区域代码', en: 'Area code' },
  'users.field.area.hint': { zh: '须在您的管辖范围内，如 {code}。', en: 'Must be within your scope, e.g. {code}.' },
  'users.field.unit': { zh: '所属单位', en: 'Unit' },
  'users.field.unit.none': { zh: '无', en: 'None' },
  'users.field.phone': { zh: '手机号', en: 'Mobile phone' },
  'users.field.phone.keep': { zh: '留空则不修改', en: 'Leave empty to keep' },
  'users.field.password': { zh: '初始密码', en: 'Initial password' },
  'users.field.newpassword': { zh: '新密码', en: 'New password' },
  'users.field.password.hint': { zh: '至少 10 个字符，不能与账号相同；请当面告知本人。', en: 'At least 10 characters, not the account name; tell it to the person directly.' },
  'users.field.password.err.invalid_value': { zh: '密码至少 10 个字符，不能与账号相同，也不能是同一个字符重复', en: 'At least 10 characters, not the account name, not one character repeated' },
  'users.field.login.err.invalid_value': { zh: '账号为 2–64 位字母、数字或 . _ - @', en: 'An account name is 2–64 letters, digits or . _ - @' },
  'users.field.phone.err.invalid_value': { zh: '手机号格式不正确', en: 'Not a phone number' },
  'users.field.unit_id.err.invalid_value': { zh: '单位不存在或不在您的管辖范围内', en: 'No such unit within your scope' },
  'users.self': { zh: '不能修改自己的角色、区域或账号状态。', en: 'You cannot change your own role, area or account status.' },
  'users.edit.title': { zh: '编辑 {name}（{login}）', en: 'Edit {name} ({login})' },
  'users.edit.aria': { zh: '编辑 {name}', en: 'Edit {name}' },
  'users.edit.saved': { zh: '已保存', en: 'Saved' },
  'users.edit.nochange': { zh: '没有需要保存的修改', en: 'Nothing to save' },
  'users.password.title': { zh: '重设密码', en: 'Set a new password' },
  'users.password.submit': { zh: '设置新密码', en: 'Set password' },
  'users.password.done': { zh: '新密码已生效', en: 'The new password is set' },
  'users.active.title': { zh: '账号状态', en: 'Account status' },
  'users.active.on': { zh: '账号已启用，可以登录。', en: 'The account is active and can log in.' },
  'users.active.off': { zh: '账号已停用，不能登录。', en: 'The account is disabled and cannot log in.' },
  'users.active.disable': { zh: '停用账号', en: 'Disable account' },
  'users.active.enable': { zh: '启用账号', en: 'Enable account' },
  'users.active.disabled': { zh: '账号已停用', en: 'Account disabled' },
  'users.active.enabled': { zh: '账号已启用', en: 'Account enabled' },
  'users.field.login.err.conflict': { zh: '该账号已被使用', en: 'This account name is taken' },
  'users.field.role.err.forbidden': { zh: '不能授予高于您自己的角色', en: 'You cannot grant a role above your own' },
  'users.field.area_code.err.not_found': { zh: '区域不存在或不在您的管辖范围内', en: 'No such area within your scope' },
  'users.field.area_code.err.invalid_value': { zh: '区域不存在或不在您的管辖范围内', en: 'No such area within your scope' },
  'users.field.unit_id.err.not_found': { zh: '单位不存在或不在您的管辖范围内', en: 'No such unit within your scope' },

  // Units
  'units.title': { zh: '单位', en: 'Units' },
  'units.lead': { zh: '{scope}范围内的部门和驻区单位。', en: 'Departments and stationed units within {scope}.' },
  'units.filter.type': { zh: '按类型筛选', en: 'Filter by type' },
  'units.filter.type.all': { zh: '全部类型', en: 'All types' },
  'units.col.name': { zh: '名称', en: 'Name' },
  'units.col.type': { zh: '类型', en: 'Type' },
  'units.col.area': { zh: '所属区域', en: 'Area' },
  'units.col.users': { zh: '人数', en: 'Users' },
  'units.empty': { zh: '暂无单位。', en: 'No units yet.' },
  'units.create.title': { zh: '新增单位', en: 'New unit' },
  'units.create.submit': { zh: '创建单位', en: 'Create unit' },
  'units.create.done': { zh: '已创建“{name}”', en: 'Created “{name}”' },
  'units.field.name': { zh: '单位名称', en: 'Name' },
  'units.field.type': { zh: '类型', en: 'Type' },
  'units.field.area': { zh: '所属区域代码', en: 'Area code' },
  'units.field.name.err.conflict': { zh: '已有同名单位', en: 'A unit of this name exists' },
  'units.field.area_code.err.not_found': { zh: '区域不存在或不在您的管辖范围内', en: 'No such area within your scope' },
  'units.field.area_code.err.invalid_value': { zh: '区域不存在或不在您的管辖范围内', en: 'No such area within your scope' },

  // Audit
  'audit.title': { zh: '审计日志', en: 'Audit log' },
  'audit.lead': { zh: '{scope}范围内的操作记录，最新的在前；时间为北京时间。', en: 'What was done within {scope}, newest first; times in Beijing time.' },
  'audit.filter.user': { zh: '操作账号', en: 'Account' },
  'audit.filter.user.ph': { zh: '如 admin', en: 'e.g. admin' },
  'audit.filter.action': { zh: '操作', en: 'Action' },
  'audit.filter.action.ph': { zh: '如 user.create', en: 'e.g. user.create' },
  'audit.filter.object': { zh: '对象类型', en: 'Object type' },
  'audit.filter.object.ph': { zh: '如 user', en: 'e.g. user' },
  'audit.filter.title': { zh: '筛选条件', en: 'Filter' },
  'audit.filter.since': { zh: '开始时间（北京时间）', en: 'From (Beijing time)' },
  'audit.filter.until': { zh: '结束时间（北京时间）', en: 'Until (Beijing time)' },
  'audit.filter.order': { zh: '结束时间不能早于开始时间', en: 'The end must not be before the start' },
  'audit.col.at': { zh: '时间', en: 'Time' },
  'audit.col.user': { zh: '用户', en: 'User' },
  'audit.col.action': { zh: '操作', en: 'Action' },
  'audit.col.object': { zh: '对象', en: 'Object' },
  'audit.col.request': { zh: '请求 ID', en: 'Request ID' },
  'audit.empty': { zh: '没有符合条件的记录。', en: 'No entries match.' },

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
  'err.invalid_credentials': { zh: '账号或密码错误', en: 'Wrong login or password' },
  'err.too_many_requests': { zh: '尝试次数过多，请稍后再试', en: 'Too many attempts, please try again later' },
  'err.too_many_requests.wait': { zh: '尝试次数过多，请 {seconds} 秒后再试', en: 'Too many attempts, please try again in {seconds} seconds' },
  'err.csrf_failed': { zh: '会话已失效，请重新登录', en: 'Your session is no longer valid, please log in again' },
  'err.unauthorized': { zh: '登录已过期，请重新登录', en: 'Your session has ended, please log in again' },
  'err.forbidden': { zh: '您没有进行此操作的权限', en: 'You may not do this' },
  'err.not_found': { zh: '对象不存在或不在您的管辖范围内', en: 'Not found, or outside your scope' },
  'err.conflict': { zh: '数据已被他人修改，请刷新后重试', en: 'Someone else changed this; reload and try again' },
  'err.area_not_empty': { zh: '该区域下还有下级或数据，不能删除', en: 'This area still has areas or data below it and cannot be deleted' },
  'err.missing_field': { zh: '此项必填', en: 'This is required' },
  'err.invalid_value': { zh: '填写的内容无效', en: 'This value is not valid' },
  'err.invalid_type': { zh: '填写的内容格式不对', en: 'This value has the wrong form' },
  'err.unknown_field': { zh: '提交了无法识别的内容', en: 'The form sent something the server does not know' },
  'err.invalid_parameter': { zh: '查询条件无效', en: 'A search condition is not valid' },
  'err.unavailable': { zh: '服务暂时不可用，请稍后重试', en: 'The service is unavailable, please try again later' },
  'logout.err.network': { zh: '退出失败：网络连接失败，请检查网络后重试', en: 'Not logged out: no connection. Check the network and try again' },
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
