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

import { casesMessages } from './i18n-cases.js';

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

  // Register: shared words
  'nav.import': { zh: '导入', en: 'Import' },
  'relation.head': { zh: '户主', en: 'Head of household' },
  'relation.spouse': { zh: '配偶', en: 'Spouse' },
  'relation.child': { zh: '子女', en: 'Child' },
  'relation.parent': { zh: '父母', en: 'Parent' },
  'relation.grandchild': { zh: '孙辈', en: 'Grandchild' },
  'relation.sibling': { zh: '兄弟姐妹', en: 'Sibling' },
  'relation.other': { zh: '其他', en: 'Other' },
  'relation.none': { zh: '未填写', en: 'Not given' },
  'sex.M': { zh: '男', en: 'Male' },
  'sex.F': { zh: '女', en: 'Female' },
  'sex.unknown': { zh: '未填写', en: 'Not given' },
  'pstatus.living': { zh: '在住', en: 'Living here' },
  'pstatus.moved_out': { zh: '迁出', en: 'Moved out' },
  'pstatus.deceased': { zh: '死亡', en: 'Deceased' },
  'idtype.resident_id': { zh: '居民身份证', en: 'Resident ID card' },
  'idtype.passport': { zh: '护照', en: 'Passport' },
  'idtype.hk_macao_permit': { zh: '港澳居民来往内地通行证', en: 'Hong Kong/Macao home-return permit' },
  'idtype.taiwan_permit': { zh: '台湾居民来往大陆通行证', en: 'Taiwan compatriot permit' },
  'idtype.foreign_permanent': { zh: '外国人永久居留身份证', en: 'Foreign permanent resident ID' },
  'reg.field.tags': { zh: '标签', en: 'Tags' },
  'reg.field.area': { zh: '区域', en: 'Area' },
  'reg.tags.none': { zh: '暂无可选标签', en: 'No tags to choose' },
  'reg.tags.unavailable': { zh: '标签暂时无法加载', en: 'Tags could not be loaded' },
  'reg.area.all': { zh: '全部（{name}，{h} 户 · {p} 人）', en: 'All ({name}, {h} households · {p} persons)' },
  'reg.area.option': { zh: '{indent}{name}（{h} 户 · {p} 人）', en: '{indent}{name} ({h} households · {p} persons)' },
  'reg.counts': { zh: '{h} 户 · {p} 人', en: '{h} households · {p} persons' },
  'reg.stats.failed': { zh: '统计数据暂时无法加载', en: 'The counts could not be loaded' },
  'reg.keep.ph': { zh: '留空则不修改', en: 'Leave empty to keep' },
  'reg.keep.hint': { zh: '只在需要更正时填写新的号码。', en: 'Type a new number only to correct it.' },
  'reg.reload': { zh: '刷新', en: 'Reload' },
  'reg.saved': { zh: '已保存', en: 'Saved' },
  'register.err.conflict': { zh: '已被他人修改，请刷新', en: 'Someone else changed this; please reload' },
  'register.field.id_number.err.conflict': { zh: '该证件号码已经登记', en: 'This ID number is registered already' },
  'register.field.id_number.err.invalid_value': { zh: '证件号码无效：请核对位数、出生日期和校验位', en: 'Not a valid ID number: check its length, birth date and check character' },
  'register.field.id_type.err.invalid_value': { zh: '证件类型无效', en: 'Not a known ID type' },
  'register.field.phone.err.invalid_value': { zh: '请填写手机号或带区号的固定电话', en: 'Enter a mobile number or a landline with its area code' },
  'register.field.name.err.invalid_value': { zh: '姓名为 1–50 个字', en: 'A name has 1–50 characters' },
  'register.field.sex.err.invalid_value': { zh: '性别与身份证号不符', en: 'The sex does not agree with the ID number' },
  'register.field.birth_date.err.invalid_value': { zh: '出生日期无效或与身份证号不符', en: 'The birth date is not valid or does not agree with the ID number' },
  'register.field.relation.err.invalid_value': { zh: '与户主关系无效', en: 'Not a known relation' },
  'register.field.tags.err.invalid_value': { zh: '标签无效', en: 'A tag is not valid' },
  'register.field.address.err.invalid_value': { zh: '住址为 1–200 个字', en: 'An address has 1–200 characters' },
  'register.field.area_code.err.invalid_value': { zh: '区域不存在或不在您的管辖范围内', en: 'No such area within your scope' },
  'register.field.household_id.err.invalid_value': { zh: '该住户不存在或不在您的管辖范围内', en: 'No such household within your scope' },
  'register.field.status.err.invalid_value': { zh: '状态无效', en: 'Not a known status' },

  // Register page
  'register.title': { zh: '台账', en: 'Register' },
  'register.lead': { zh: '{scope}范围内的住户和人员。', en: 'Households and persons within {scope}.' },
  'persons.title': { zh: '查找人员', en: 'Find a person' },
  'persons.search.label': { zh: '按姓名、身份证号或手机号查找', en: 'Find by name, ID number or phone' },
  'persons.search.ph': { zh: '姓名、身份证号或手机号', en: 'Name, ID number or phone' },
  'persons.kind.id_number': { zh: '按身份证号精确查找', en: 'Exact search by ID number' },
  'persons.kind.phone': { zh: '按手机号精确查找', en: 'Exact search by phone' },
  'persons.kind.name': { zh: '按姓名开头查找', en: 'Search by the start of the name' },
  'persons.filter.status': { zh: '按状态筛选', en: 'Filter by status' },
  'persons.filter.status.all': { zh: '全部状态', en: 'Any status' },
  'persons.filter.tag': { zh: '按标签筛选', en: 'Filter by tag' },
  'persons.filter.tag.all': { zh: '全部标签', en: 'Any tag' },
  'persons.results': { zh: '查找结果', en: 'Results' },
  'persons.empty': { zh: '没有找到符合条件的人员。', en: 'No persons match.' },
  'persons.export.label': { zh: '导出当前结果：', en: 'Export these results:' },
  'persons.export.csv': { zh: '导出CSV', en: 'Export CSV' },
  'persons.export.xlsx': { zh: '导出Excel', en: 'Export Excel' },
  'persons.export.reveal': { zh: '含完整证件号', en: 'Unmasked ID numbers' },
  'persons.export.reveal.hint': { zh: '导出完整证件号和手机号会被记录。', en: 'Exporting unmasked ID numbers and phones is recorded.' },
  'hh.list.title': { zh: '住户', en: 'Households' },
  'hh.filter.address': { zh: '按住址查找', en: 'Find by address' },
  'hh.filter.address.ph': { zh: '住址中的文字', en: 'Part of the address' },
  'hh.filter.tag': { zh: '按住户标签筛选', en: 'Filter by household tag' },
  'hh.filter.tag.all': { zh: '全部住户', en: 'All households' },
  'hh.col.address': { zh: '住址', en: 'Address' },
  'hh.col.head': { zh: '户主', en: 'Head' },
  'hh.col.members': { zh: '人数', en: 'Members' },
  'hh.col.area': { zh: '所属区域', en: 'Area' },
  'hh.col.tags': { zh: '标签', en: 'Tags' },
  'hh.members.n': { zh: '{n} 人', en: '{n}' },
  'hh.empty': { zh: '暂无住户。', en: 'No households yet.' },
  'person.col.name': { zh: '姓名', en: 'Name' },
  'person.col.relation': { zh: '与户主关系', en: 'Relation' },
  'person.col.sex': { zh: '性别', en: 'Sex' },
  'person.col.birth': { zh: '出生日期', en: 'Born' },
  'person.col.id': { zh: '证件号码', en: 'ID number' },
  'person.col.phone': { zh: '手机号', en: 'Phone' },
  'person.col.household': { zh: '住户', en: 'Household' },
  'person.col.status': { zh: '状态', en: 'Status' },
  'person.col.tags': { zh: '标签', en: 'Tags' },
  'import.open': { zh: '批量导入', en: 'Bulk import' },

  // My grid (the grid worker's home)
  'grid.title': { zh: '我的网格', en: 'My grid' },
  'grid.households': { zh: '本网格住户', en: 'Households of the grid' },
  'grid.open.register': { zh: '打开台账', en: 'Open the register' },

  // Households
  'hh.title': { zh: '住户', en: 'Household' },
  'hh.back': { zh: '‹ 返回台账', en: '‹ Back to the register' },
  'hh.facts': { zh: '住户信息', en: 'Household' },
  'hh.add': { zh: '新增住户', en: 'Add household' },
  'hh.add.title': { zh: '新增住户', en: 'New household' },
  'hh.add.submit': { zh: '新增住户', en: 'Add household' },
  'hh.field.area': { zh: '所属区域', en: 'Area' },
  'hh.field.address': { zh: '住址', en: 'Address' },
  'hh.field.address.ph': { zh: '如 东风小区1号楼2单元301', en: 'e.g. Dongfeng Estate, Bldg 1, Unit 2, No. 301' },
  'hh.field.address.hint': { zh: '写到门牌号，同一地址只登记一户。', en: 'Down to the door number; one household per address.' },
  'hh.field.notes': { zh: '备注', en: 'Notes' },
  'hh.members': { zh: '家庭成员', en: 'Members' },
  'hh.members.empty': { zh: '还没有登记成员。', en: 'No members registered yet.' },
  'hh.member.title': { zh: '添加成员', en: 'Add a member' },
  'hh.member.submit': { zh: '添加成员', en: 'Add member' },
  'hh.member.done': { zh: '已添加 {name}', en: 'Added {name}' },
  'hh.member.id.hint': { zh: '填写身份证号后，性别和出生日期自动确定。', en: 'With a resident ID number, sex and birth date follow from it.' },
  'household.err.not_found': { zh: '该住户不存在或不在您的管辖范围内', en: 'No such household within your scope' },

  // Persons
  'person.title': { zh: '人员', en: 'Person' },
  'person.back.register': { zh: '‹ 返回台账', en: '‹ Back to the register' },
  'person.back.household': { zh: '‹ 返回住户', en: '‹ Back to the household' },
  'person.facts': { zh: '基本信息', en: 'Details' },
  'person.field.name': { zh: '姓名', en: 'Name' },
  'person.field.sex': { zh: '性别', en: 'Sex' },
  'person.field.birth': { zh: '出生日期', en: 'Date of birth' },
  'person.field.id_type': { zh: '证件类型', en: 'ID type' },
  'person.field.id_number': { zh: '证件号码', en: 'ID number' },
  'person.field.id_number.new': { zh: '新证件号码', en: 'New ID number' },
  'person.field.phone': { zh: '手机号', en: 'Phone' },
  'person.field.phone.new': { zh: '新手机号', en: 'New phone' },
  'person.field.relation': { zh: '与户主关系', en: 'Relation to the head' },
  'person.field.household': { zh: '住户', en: 'Household' },
  'person.field.area': { zh: '所属区域', en: 'Area' },
  'person.field.tags': { zh: '标签', en: 'Tags' },
  'person.field.notes': { zh: '备注', en: 'Notes' },
  'person.field.updated': { zh: '更新时间', en: 'Updated' },
  'person.field.status': { zh: '新状态', en: 'New status' },
  'person.field.status.note': { zh: '说明', en: 'Note' },
  'person.reveal': { zh: '查看完整证件号和手机号', en: 'Show full ID number and phone' },
  'person.reveal.note': { zh: '查看已记录', en: 'The view is recorded' },
  'person.status.title': { zh: '居住状态', en: 'Status' },
  'person.status.change': { zh: '变更状态', en: 'Change the status' },
  'person.status.note.ph': { zh: '如 迁往外地、去世日期', en: 'e.g. where to, or the date' },
  'person.status.submit': { zh: '变更状态', en: 'Change status' },
  'person.status.done': { zh: '状态已变更', en: 'Status changed' },
  'person.history': { zh: '变更记录', en: 'History' },
  'person.history.empty': { zh: '暂无变更记录。', en: 'No changes yet.' },
  'person.edit.title': { zh: '编辑信息', en: 'Edit details' },
  'person.edit.derived': { zh: '性别和出生日期由身份证号确定。', en: 'Sex and birth date follow from the resident ID number.' },
  'person.err.not_found': { zh: '该人员不存在或不在您的管辖范围内', en: 'No such person within your scope' },

  // Import
  'import.title': { zh: '导入台账', en: 'Import a register' },
  'import.lead': { zh: '把 Excel 或 CSV 表格中的人员导入{scope}的台账：先检查，无误后再导入。', en: 'Import persons from an Excel or CSV sheet into the register of {scope}: check first, then import.' },
  'import.steps': { zh: '导入步骤', en: 'Import steps' },
  'import.step.choose': { zh: '选择文件', en: 'Choose a file' },
  'import.step.check': { zh: '检查', en: 'Check' },
  'import.step.commit': { zh: '导入', en: 'Import' },
  'import.choose.title': { zh: '第一步：选择文件', en: 'Step 1: choose a file' },
  'import.file': { zh: '表格文件', en: 'Spreadsheet' },
  'import.file.hint': { zh: 'Excel（.xlsx）或 CSV（UTF-8 或 GBK）；第一行为表头。', en: 'Excel (.xlsx) or CSV (UTF-8 or GBK); the first row is the header.' },
  'import.file.chosen': { zh: '已选择：{name}（{size} KB）', en: 'Chosen: {name} ({size} KB)' },
  'import.area': { zh: '默认区域', en: 'Default area' },
  'import.area.hint': { zh: '表格中没有“网格”列或该列为空时，人员归入此区域。', en: 'Persons go here when the sheet has no grid column or the cell is empty.' },
  'import.help.title': { zh: '表头怎么写？', en: 'Which headers?' },
  'import.help.headers': { zh: '可识别的表头：姓名、性别、出生日期、证件类型、身份证号、联系电话、住址、网格、与户主关系、标签、状态、备注（也可用英文）。', en: 'Recognised headers: 姓名/name, 性别/sex, 出生日期/birth_date, 证件类型/id_type, 身份证号/id_number, 联系电话/phone, 住址/address, 网格/grid, 与户主关系/relation, 标签/tags, 状态/status, 备注/notes.' },
  'import.help.households': { zh: '同一网格、同一住址的人员归为一户；已登记的人员（按身份证号）会被更新，重复导入不会重复登记。', en: 'Rows with the same grid and address form one household; persons already registered (by ID number) are updated, so importing twice registers nobody twice.' },
  'import.check': { zh: '检查文件', en: 'Check the file' },
  'import.checking': { zh: '正在检查…', en: 'Checking…' },
  'import.nofile': { zh: '请先选择文件', en: 'Choose a file first' },
  'import.emptyfile': { zh: '文件是空的', en: 'The file is empty' },
  'import.toolarge': { zh: '文件超过 64 MB，请分成几个文件导入', en: 'The file is larger than 64 MB; split it into several files' },
  'import.err.invalid_value': { zh: '无法读取该文件，请确认是 Excel（.xlsx）或 CSV 文件', en: 'The file could not be read; is it an Excel (.xlsx) or CSV file?' },
  'import.err.payload_too_large': { zh: '文件超过 64 MB，请分成几个文件导入', en: 'The file is larger than 64 MB; split it into several files' },
  'import.preview.title': { zh: '第二步：检查结果', en: 'Step 2: what the check found' },
  'import.sum.rows': { zh: '数据行', en: 'Rows' },
  'import.sum.valid': { zh: '可导入', en: 'Ready to import' },
  'import.sum.errors': { zh: '错误', en: 'Errors' },
  'import.sum.create': { zh: '将新增人员', en: 'Persons to add' },
  'import.sum.update': { zh: '将更新人员', en: 'Persons to update' },
  'import.sum.households': { zh: '将新建住户', en: 'Households to add' },
  'import.sum.encoding': { zh: '文件格式', en: 'File format' },
  'import.columns.title': { zh: '识别的列', en: 'Columns recognised' },
  'import.col.header': { zh: '表头', en: 'Header' },
  'import.col.field': { zh: '对应字段', en: 'Read as' },
  'import.field.name': { zh: '姓名', en: 'Name' },
  'import.field.sex': { zh: '性别', en: 'Sex' },
  'import.field.birth_date': { zh: '出生日期', en: 'Date of birth' },
  'import.field.id_type': { zh: '证件类型', en: 'ID type' },
  'import.field.id_number': { zh: '证件号码', en: 'ID number' },
  'import.field.phone': { zh: '联系电话', en: 'Phone' },
  'import.field.address': { zh: '住址', en: 'Address' },
  'import.field.grid': { zh: '网格', en: 'Grid' },
  'import.field.relation': { zh: '与户主关系', en: 'Relation' },
  'import.field.tags': { zh: '标签', en: 'Tags' },
  'import.field.status': { zh: '状态', en: 'Status' },
  'import.field.notes': { zh: '备注', en: 'Notes' },
  'import.field.ignore': { zh: '不导入', en: 'Not imported' },
  'import.errors.title': { zh: '需要改正的错误', en: 'Errors to correct' },
  'import.errors.more': { zh: '仅列出前 {shown} 处，共 {n} 处错误。', en: 'The first {shown} of {n} errors.' },
  'import.errcol.row': { zh: '行号', en: 'Row' },
  'import.errcol.column': { zh: '列', en: 'Column' },
  'import.errcol.reason': { zh: '原因', en: 'Reason' },
  'import.noerrors': { zh: '没有发现错误。', en: 'No errors found.' },
  'import.commit': { zh: '确认导入', en: 'Import now' },
  'import.committing': { zh: '正在导入…', en: 'Importing…' },
  'import.commit.blocked': { zh: '文件中有 {n} 处错误，不能导入：请在表格中改正后重新选择文件检查。', en: 'The file has {n} errors and cannot be imported: correct them in the sheet, then choose it again and check.' },
  'import.commit.empty': { zh: '文件中没有可导入的行。', en: 'The file has no rows to import.' },
  'import.commit.ready': { zh: '将导入 {valid} 行；全部成功或全部不导入。', en: '{valid} rows will be imported, all or none.' },
  'import.refused': { zh: '导入时发现错误，未导入任何数据，请查看上方的错误。', en: 'Errors were found while importing; nothing was imported. See the errors above.' },
  'import.result.title': { zh: '第三步：导入完成', en: 'Step 3: imported' },
  'import.res.created': { zh: '新增人员', en: 'Persons added' },
  'import.res.updated': { zh: '更新人员', en: 'Persons updated' },
  'import.res.households': { zh: '新建住户', en: 'Households added' },
  'import.to.register': { zh: '查看台账', en: 'Open the register' },
  'import.again': { zh: '继续导入', en: 'Import another file' },
  'import.reason.name_missing': { zh: '缺少姓名', en: 'The name is missing' },
  'import.reason.name_length': { zh: '姓名为 1–50 个字', en: 'A name has 1–50 characters' },
  'import.reason.sex': { zh: '性别应为“男”或“女”', en: 'Sex is 男 or 女' },
  'import.reason.birth_date': { zh: '出生日期应为过去的日期，如 1980-05-01', en: 'The birth date is a past date like 1980-05-01' },
  'import.reason.id_type': { zh: '证件类型无效', en: 'Unknown ID type' },
  'import.reason.id_length': { zh: '身份证号应为 18 位', en: 'A resident ID number has 18 characters' },
  'import.reason.id_characters': { zh: '身份证号应为 17 位数字加 1 位数字或 X', en: 'A resident ID number is 17 digits and a digit or X' },
  'import.reason.id_region': { zh: '身份证号的地区码不正确', en: 'The region code of the ID number is not plausible' },
  'import.reason.id_date': { zh: '身份证号中的出生日期不正确', en: 'The birth date in the ID number is not a date' },
  'import.reason.id_future': { zh: '身份证号中的出生日期晚于今天', en: 'The birth date in the ID number is in the future' },
  'import.reason.id_check': { zh: '身份证号校验位不正确', en: 'The check character of the ID number is wrong' },
  'import.reason.id_sex': { zh: '性别与身份证号不符', en: 'The sex does not agree with the ID number' },
  'import.reason.id_birth': { zh: '出生日期与身份证号不符', en: 'The birth date does not agree with the ID number' },
  'import.reason.id_duplicate': { zh: '与第 {row} 行的身份证号重复', en: 'The same ID number as row {row}' },
  'import.reason.id_taken': { zh: '该身份证号已经登记', en: 'This ID number is registered already' },
  'import.reason.phone': { zh: '电话应为手机号或带区号的固定电话', en: 'Not a mobile number or a landline with its area code' },
  'import.reason.relation': { zh: '与户主关系无法识别', en: 'Unknown relation to the head of household' },
  'import.reason.status': { zh: '状态应为“在住”“迁出”或“死亡”', en: 'Status is 在住, 迁出 or 死亡' },
  'import.reason.grid_missing': { zh: '您的管辖范围内没有这个网格', en: 'No such grid within your scope' },
  'import.reason.grid_ambiguous': { zh: '有两个同名区域，请填写网格编码', en: 'Two areas have this name: use the code' },
  'import.reason.no_area': { zh: '没有网格列，也没有默认区域', en: 'No grid column and no default area' },
  'import.reason.address_long': { zh: '住址太长', en: 'The address is too long' },
  'import.reason.tag': { zh: '标签无法识别', en: 'Unknown tag' },
  'import.reason.no_name_column': { zh: '找不到“姓名”列：第一行是表头吗？', en: 'No name (姓名) column: is the first row the header?' },
  'import.reason.default_area': { zh: '默认区域不在您的管辖范围内', en: 'The default area is not within your scope' },

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
// The cases module's strings live in their own file (i18n-cases.js).
Object.assign(messages, casesMessages);

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

// Adds a message known only at run time (e.g. a tag configured on the
// server, which names itself in both languages).
export function defineMessage(key, zh, en) {
  messages[key] = { zh: String(zh), en: String(en || zh) };
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
