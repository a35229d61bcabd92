// The device-check harness (tools/device-check/device-check.js) without a GPU: --self-test lets a second copy
// of the CPU addon pose as the CUDA addon, so case building, comparison and the table run here.
// Every CUDA-vs-CPU row (the fused path's detector input, classifier input per window, device plane,
// batch tensor; YOLOX decode) must then match exactly (same code on both sides), and the upload rows print.
import t from 'tap';
import path from 'path';
import { spawnSync } from 'child_process';
import { repoRoot } from '../helpers/shared';

t.test('device-check.js --self-test prints its table and passes', async (t) => {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'tools', 'device-check', 'device-check.js'), '--self-test', '--reps', '1'],
    { encoding: 'utf8', timeout: 120000 });
  t.equal(r.status, 0, r.stderr || r.stdout.slice(-2000));
  t.match(r.stdout, /^device check: SELF-TEST/m);
  t.match(r.stdout, /^copy rate: device-to-device/m);
  t.match(r.stdout, /^summary: \d+ CUDA-vs-CPU cases OK, 0 failed/m);
  for (const row of ['fused detectorInput', 'fused classifierInput', 'fused classifierPlane', 'fused batch tensor']) {
    t.match(r.stdout, new RegExp(`^${row} .* OK$`, 'm'), `${row} rows`);
  }
  t.match(r.stdout, /^upload synthetic 2776x2082 .* GB\/s \(\d+% of pinned/m, 'the upload GB/s entry');
  t.notMatch(r.stdout, /FAIL/);
});

t.test('device-check.sh is valid bash', async (t) => {
  const r = spawnSync('bash', ['-n', path.join(repoRoot, 'tools', 'device-check', 'device-check.sh')], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
});
