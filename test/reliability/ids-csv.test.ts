// Hostile input, part 3: ids never become paths, CSV is read strictly and written formula-safe
// (lib/data/csv.ts, lib/run/csv.ts, lib/run/testCsv.ts, lib/run/runSubmit.ts, predict --out).
import fs from 'fs';
import os from 'os';
import path from 'path';
import t from 'tap';
import { parseCsv } from '../../lib/data/csv';
import { createPipelineFromStages } from '../../lib/pipeline/scheduler';
import { formulaSafe, parseCsvRecords } from '../../lib/run/csv';
import { runSubmit } from '../../lib/run/runSubmit';
import { readTestCsv } from '../../lib/run/testCsv';
import { predictCsv } from '../../lib/cli/commands/predict';
import { fakeStages } from '../pipeline/fakeStages';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-ids-'));

t.test('an unterminated quote is an error with its line number, not two rows merged', async (t) => {
  const text = 'patient_id,image_id,laterality\n10006,"462822612,L\n10006,1864590858,R\n';
  t.throws(() => parseCsv(text, 'test.csv'), { code: 'ERR_CSV_PARSE', message: /test\.csv: line 2: .*unterminated quote/ });
  t.throws(() => parseCsv('a,b\n"x"y,2\n'), { code: 'ERR_CSV_PARSE', message: /line 2: unexpected "y" after the closing quote/ });
});

t.test('quotes inside unquoted fields stay (as pandas reads them); quoted fields are unchanged', async (t) => {
  // pandas.read_csv(io.StringIO('a,b\n1,x"y\n')) gives b == 'x"y'.
  t.same(parseCsv('a,b\n1,x"y\n').rows, [['1', 'x"y']]);
  t.same(parseCsv('a,b\n1,"x,""y"""\n2,"multi\nline"\n').rows, [['1', 'x,"y"'], ['2', 'multi\nline']]);
});

t.test('outputs never emit a field a spreadsheet runs as a formula', async (t) => {
  for (const bad of ['=cmd|\' /C calc\'!A0', '@SUM(1+1)', '+1-1', '-1+2', '\tx', '=1']) t.equal(formulaSafe(bad)[0], "'", `${JSON.stringify(bad)} is neutralised`);
  for (const ok of ['-0.5', '+3', '1e-3', '10006_L', '']) t.equal(formulaSafe(ok), ok, `${JSON.stringify(ok)} is kept`);
});

const HOSTILE_IDS = ['../../../x', '=cmd|\' /C calc\'!A0', '@SUM(1)', '+1-1', '-1', 'a/b', '..', '.hidden'];

t.test('test.csv ids that are not safe tokens never become paths and are listed in errors.csv', async (t) => {
  const dir = tmp();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const lines = ['patient_id,image_id,laterality', '10006,462822612,L', '10006,1864590858,R'];
  HOSTILE_IDS.forEach((id, i) => lines.push(`${id.includes(',') ? `"${id}"` : id},${900 + i},L`)); // hostile patient_id
  lines.push('10007,../../etc/passwd,R'); // hostile image_id
  lines.push('10008,555,=HYPERLINK("x")'); // hostile laterality → prediction_id
  const csv = path.join(dir, 'test.csv');
  fs.writeFileSync(csv, `${lines.join('\n')}\n`);
  const rows = readTestCsv(csv, path.join(dir, 'test_images'));
  const bad = rows.filter((r) => r.invalid);
  t.equal(bad.length, HOSTILE_IDS.length + 2, 'every hostile row is marked');
  t.ok(bad.every((r) => r.file === ''), 'and has no path');
  t.ok(rows.filter((r) => !r.invalid).every((r) => r.file.startsWith(path.join(dir, 'test_images') + path.sep)), 'good rows stay under test_images');

  const stages = fakeStages();
  const out = path.join(dir, 'out');
  fs.mkdirSync(out);
  const res = await runSubmit({ rows, pipeline: createPipelineFromStages(stages), outDir: out });
  t.same(stages.prepared.sort(), ['1864590858', '462822612'], 'only the safe rows were read');
  const errors = parseCsvRecords(fs.readFileSync(res.errorsFile, 'utf8')).records;
  t.equal(errors.filter((e) => e.code === 'ERR_TEST_CSV_ID').length, HOSTILE_IDS.length + 2, 'each hostile row is an errors.csv line');
  t.match(errors.find((e) => e.code === 'ERR_TEST_CSV_ID')?.message, /row 4: patient_id .* is not a safe id/);
  for (const file of [res.submissionFile, res.errorsFile, res.predictionsFile]) {
    const fields = parseCsv(fs.readFileSync(file, 'utf8')).rows.flat();
    t.notOk(fields.some((f) => /^[=+@\t\r]/.test(f) || (/^-/.test(f) && Number.isNaN(Number(f)))), `${path.basename(file)}: no field a spreadsheet would run`);
  }
  const submission = fs.readFileSync(res.submissionFile, 'utf8');
  t.notMatch(submission, /HYPERLINK|passwd|calc/, 'no hostile prediction_id reaches submission.csv');
  t.match(submission, /^prediction_id,cancer\n10006_L,[01]\n10006_R,[01]\n/);
});

t.test('predict --out: failure and skipped rows have the header\'s field count, the message under error', async (t) => {
  const text = predictCsv([], new Map(), [{ ok: false, key: 'bad.dcm', stage: 'prepare', code: 'ERR_DICOM_NOT_DICOM', message: 'not a DICOM file, really' }],
    [{ path: 'fifo.dcm', reason: 'a FIFO' }]);
  const table = parseCsv(text);
  for (const row of table.rows) t.equal(row.length, table.header.length, `${row[0]}: ${row.length} fields`);
  const error = table.header.indexOf('error');
  t.equal(table.rows[0][error], 'ERR_DICOM_NOT_DICOM: not a DICOM file, really');
  t.equal(table.rows[0][table.header.indexOf('decoder')], '', 'decoder stays empty');
  t.equal(table.rows[1][error], 'skipped: a FIFO');
});
