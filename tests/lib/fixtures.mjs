// A small town for identity tests: areas in two branches (A and B) and one
// user per role, created through the CLI and the API as an operator would.
import assert from 'node:assert/strict';
import { run } from './server.mjs';

export const ADMIN_PASSWORD = 'correct horse battery staple';
export const PASSWORD = 'grid-worker-2026!';

export const areas = {
  root: '000000',
  city: '610100',
  county: '610102',
  town: '610102001',
  communityA: '610102001001',
  gridA: '610102001001-01',
  buildingA: '610102001001-01-01',
  communityB: '610102001002',
  gridB: '610102001002-01',
};

const tree = [
  ['city', '西安市', 'city', 'root'],
  ['county', '新城区', 'county', 'city'],
  ['town', '西一路街道', 'town', 'county'],
  ['communityA', '东风社区', 'community', 'town'],
  ['gridA', '东风社区第一网格', 'grid', 'communityA'],
  ['buildingA', '东风小区1号楼', 'building', 'gridA'],
  ['communityB', '西关社区', 'community', 'town'],
  ['gridB', '西关社区第一网格', 'grid', 'communityB'],
];

// role -> the area of its scope (A side); its twin on the B side is "<role>B"
export const scopes = {
  admin: 'root', commander: 'county', staff: 'communityA', grid_worker: 'gridA', handler: 'communityA',
  sampler: 'gridA', checkpoint: 'gridA', volunteer: 'gridA', resident: 'gridA',
};
export const roles = Object.keys(scopes);

// A signed-in client: fetch with the session cookie and the CSRF token.
export async function login(srv, loginName, password) {
  const res = await fetch(`${srv.url}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: loginName, password }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, `log-in of ${loginName}: ${JSON.stringify(body)}`);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const csrf = body.csrf_token;
  return {
    login: loginName, cookie, csrf, body,
    fetch(path, init = {}) {
      const headers = { Cookie: cookie, 'X-CSRF-Token': csrf, ...(init.headers || {}) };
      if (init.body && !headers['Content-Type']) headers['Content-Type'] = 'application/json';
      return fetch(srv.url + path, { ...init, headers });
    },
    async json(path, init) {
      const r = await this.fetch(path, init);
      const text = await r.text();
      let body = null;
      if (text) try { body = JSON.parse(text); } catch { body = text; }
      return { status: r.status, body, headers: r.headers };
    },
  };
}

// Builds the town in the server's database and signs the admin in.
export async function seedIdentity(srv, env = {}) {
  const init = run(['init', '--db', srv.db.url], { input: `${ADMIN_PASSWORD}\n`, env });
  assert.equal(init.status, 0, init.stderr);
  const admin = await login(srv, 'admin', ADMIN_PASSWORD);
  for (const [key, name, level, parent] of tree) {
    const r = await admin.json('/api/v1/areas', {
      method: 'POST', body: JSON.stringify({ code: areas[key], name, level, parent_code: areas[parent] }),
    });
    assert.equal(r.status, 201, `area ${key}: ${JSON.stringify(r.body)}`);
  }
  const users = { admin: { login: 'admin', password: ADMIN_PASSWORD } };
  for (const role of roles) {
    for (const side of ['A', 'B']) {
      if (role === 'admin' && side === 'A') continue;
      let area = areas[scopes[role]];
      if (side === 'B') area = area.replace('610102001001', '610102001002').replace('-01-01', '-01');
      if (side === 'B' && (role === 'admin' || role === 'commander')) area = areas.communityB;
      if (side === 'B' && area === areas.communityB && ['grid_worker', 'sampler', 'checkpoint', 'volunteer', 'resident'].includes(role)) area = areas.gridB;
      const loginName = side === 'A' ? role : `${role}_b`;
      const r = await admin.json('/api/v1/users', {
        method: 'POST',
        body: JSON.stringify({ login: loginName, display_name: `${role} ${side}`, role, area_code: area, password: PASSWORD, phone: '13800138000' }),
      });
      assert.equal(r.status, 201, `user ${loginName}: ${JSON.stringify(r.body)}`);
      users[side === 'A' ? role : `${role}_b`] = { login: loginName, password: PASSWORD, id: r.body.id, area };
    }
  }
  // Scoped twins of the roles whose own scope holds grid B, for tests that
  // need every role on the A side only.
  for (const role of ['admin', 'commander']) {
    const loginName = `${role}_a`;
    const r = await admin.json('/api/v1/users', {
      method: 'POST',
      body: JSON.stringify({ login: loginName, display_name: `${role} A`, role, area_code: areas.communityA, password: PASSWORD }),
    });
    assert.equal(r.status, 201, `user ${loginName}: ${JSON.stringify(r.body)}`);
    users[loginName] = { login: loginName, password: PASSWORD, id: r.body.id, area: areas.communityA };
  }
  return { areas, users, admin, login: (key) => login(srv, users[key].login, users[key].password) };
}
