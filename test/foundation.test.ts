import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { execFileSync } from 'child_process';
import { loadCpuAddon } from '../lib/native';
import { loadSettings, SETTINGS_KEYS } from '../lib/settings';
import { main } from '../lib/cli/main';
import { repoRoot, sharedPath } from './helpers/shared';
import { Writable } from 'stream';

function capture(): { io: { stdout: Writable; stderr: Writable }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const mk = (f: (s: string) => void) => new Writable({ write(chunk, _enc, cb) { f(String(chunk)); cb(); } });
  return { io: { stdout: mk((s) => (out += s)), stderr: mk((s) => (err += s)) }, out: () => out, err: () => err };
}

t.test('CPU addon loads and lists its modules', async (t) => {
  const addon = loadCpuAddon();
  t.ok(addon.modules.includes('build_info'));
  const info = addon.buildInfo();
  t.type(info.codecs.openjpeg, 'boolean');
  t.equal(info.napiVersion, 8);
});

t.test('SETTINGS.json has exactly the keys of ALGORITHMS.md §12.1', async (t) => {
  const raw = JSON.parse(fs.readFileSync(path.join(repoRoot, 'SETTINGS.json'), 'utf8'));
  t.same(Object.keys(raw).sort(), [...SETTINGS_KEYS].sort());
  const s = loadSettings(path.join(repoRoot, 'SETTINGS.json'));
  t.equal(s.ASSETS_DIR, path.join(repoRoot, 'assets'));
  t.equal(s.RAW_DATA_DIR, path.join(repoRoot, 'datasets', 'raw'));
});

t.test('settings errors name the file', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-settings-'));
  const bad = path.join(dir, 'SETTINGS.json');
  fs.writeFileSync(bad, '{ not json');
  t.throws(() => loadSettings(bad), { code: 'ERR_SETTINGS', message: new RegExp(bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
});

t.test('CLI: unknown command exits 2 with usage; version prints', async (t) => {
  const c = capture();
  t.equal(await main(['no-such-command'], c.io), 2);
  t.match(c.err(), /unknown command/);
  const v = capture();
  t.equal(await main(['version', '--json'], v.io), 0);
  const parsed = JSON.parse(v.out());
  t.equal(parsed.version, JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
  t.equal(parsed.cpuAddon.loaded, true);
});

t.test('.npmrc keeps onnxruntime-node from downloading at install', async (t) => {
  t.match(fs.readFileSync(path.join(repoRoot, '.npmrc'), 'utf8'), /onnxruntime-node-install=skip/);
});

t.test('shared data is reachable (or visibly absent)', { skip: sharedPath('spec/PIPELINE.md') ? false : '../shared absent' }, async (t) => {
  t.ok(fs.existsSync(sharedPath('spec/PIPELINE.md')!));
});

void execFileSync;
