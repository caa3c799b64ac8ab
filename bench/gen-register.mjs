// Writes a register of N persons as CSV (UTF-8) for import benchmarks:
// deterministic, check-digit-valid ID numbers, households of 1-5.
//   node bench/gen-register.mjs N GRID_CODE > file.csv
const n = Number(process.argv[2] || 100000);
const grid = process.argv[3] || '000000';
let seed = 42;
const rnd = (k) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % k; };
const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const given = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍建国建华志强海燕德福';
const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
// Unique by construction: row i gets birth day (i * 7919) mod 29200 (a
// bijection: 7919 is prime to 29200) after 1940-01-01, and sequence i / 29200.
const id = (i, male) => {
  const born = new Date(Date.UTC(1940, 0, 1) + ((i * 7919) % 29200) * 86400000);
  const ymd = born.toISOString().slice(0, 10).replaceAll('-', '');
  const s17 = `630223${ymd}${String(Math.floor(i / 29200)).padStart(2, '0')}${male ? 1 + 2 * rnd(5) : 2 * rnd(5)}`;
  const sum = [...s17].reduce((a, c, i) => a + Number(c) * w[i], 0);
  return s17 + '10X98765432'[sum % 11];
};
const out = ['姓名,性别,身份证号,联系电话,住址,网格,与户主关系,标签'];
let household = 0, left = 0, rel = '户主';
for (let i = 0; i < n; i++) {
  if (left === 0) { household++; left = 1 + rnd(5); rel = '户主'; }
  const male = rnd(2) === 0;
  const name = surnames[rnd(surnames.length)] + given[rnd(given.length)] + (rnd(2) ? given[rnd(given.length)] : '');
    const phone = rnd(3) ? `1${[3, 5, 8][rnd(3)]}${String(rnd(1e9)).padStart(9, '0')}` : '';
  const tags = rnd(20) === 0 ? '党员' : rnd(30) === 0 ? '志愿者' : '';
  out.push(`${name},${male ? '男' : '女'},${id(i, male)},${phone},西口村${Math.floor(household / 50) + 1}社${household}号,${grid},${rel},${tags}`);
  rel = ['配偶', '子女', '子女', '父母', '孙辈'][rnd(5)];
  left--;
}
process.stdout.write(out.join('\n') + '\n');
