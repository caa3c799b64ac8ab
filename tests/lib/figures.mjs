// The case figures as tests compare them: what a kept answer must equal
// after a recount.
import assert from 'node:assert/strict';

export const dims = ['area', 'department', 'category', 'source', 'period', 'grid'];

// Every answer GET /api/v1/stats/cases gives, for each group_by, to each
// viewer [name, client, area code or null], without the instant it was made.
export async function allFigures(viewers) {
  const out = {};
  for (const [who, client, area] of viewers)
    for (const g of dims) {
      const r = await client.json(`/api/v1/stats/cases?group_by=${g}${area ? `&area=${area}` : ''}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      delete r.body.generated_at;
      out[`${who} ${g}`] = r.body;
    }
  return out;
}
