/**
 * What `require('rsna-mammo')` loads: not exceljs (only two stage-1 label sheets need it; it is an
 * optionalDependency, loaded on the first .xlsx) — issue 16, "Footprint".
 */
import t from 'tap';
import path from 'path';
import { repoRoot } from '../helpers/shared';

t.test("require('rsna-mammo') loads no exceljs", async (t) => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const api = require(path.join(repoRoot, 'lib', 'index.ts'));
  t.type(api.createPipeline, 'function');
  const loaded = Object.keys(require.cache).filter((k) => k.includes(`${path.sep}node_modules${path.sep}exceljs${path.sep}`));
  t.same(loaded, [], 'no exceljs module in require.cache');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const pkg = require(path.join(repoRoot, 'package.json'));
  t.notOk(pkg.dependencies.exceljs, 'not a hard dependency');
  t.ok(pkg.optionalDependencies.exceljs, 'an optionalDependency');
});

t.test('without exceljs, reading a label sheet says what to install', async (t) => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Module = require('module') as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = Module._load;
  Module._load = (request: string, ...rest: unknown[]) => {
    if (request === 'exceljs') throw Object.assign(new Error("Cannot find module 'exceljs'"), { code: 'MODULE_NOT_FOUND' });
    return load(request, ...rest);
  };
  t.teardown(() => { Module._load = load; });
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { readExcelTable } = require(path.join(repoRoot, 'lib', 'data', 'stage1', 'excelTable.ts'));
  await t.rejects(readExcelTable('/data/Mass-Training-Description.xlsx'), {
    code: 'ERR_OPTIONAL_DEPENDENCY',
    message: /Mass-Training-Description\.xlsx: .*optional package exceljs: `npm install exceljs`/,
  });
});
