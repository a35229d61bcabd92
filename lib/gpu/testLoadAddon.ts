/**
 * Test-loads a native addon in a child process first, so a broken binary (missing symbols, a driver
 * that aborts) cannot crash the host process — node-llama-cpp's `testBindingBinary` idea.
 */
import { spawnSync } from 'child_process';

/** Outcome of loading the addon in a child process and calling its `deviceInfo()`. */
export interface TestLoadResult {
  ok: boolean;
  /** `deviceInfo()` (and `tensorrtInfo()` when the addon has it) as the child saw them. */
  report?: { deviceInfo?: unknown; tensorrtInfo?: unknown; modules?: unknown };
  /** Why the load failed, in one line. */
  reason?: string;
}

const CHILD_SCRIPT = `
const addon = require(process.argv[1]);
const out = { modules: addon.modules };
if (typeof addon.deviceInfo === 'function') out.deviceInfo = addon.deviceInfo();
if (typeof addon.tensorrtInfo === 'function') out.tensorrtInfo = addon.tensorrtInfo();
process.stdout.write('@@RSNA@@' + JSON.stringify(out));
`;

/** Loads `addonPath` in `node -e` with a timeout and returns what it reported, never throwing. */
export function testLoadAddon(addonPath: string, timeoutMs = 30000): TestLoadResult {
  const child = spawnSync(process.execPath, ['-e', CHILD_SCRIPT, addonPath], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (child.error) return { ok: false, reason: `test load failed: ${child.error.message}` };
  const marker = child.stdout.indexOf('@@RSNA@@');
  if (child.status !== 0 || marker < 0) {
    const why = child.signal ? `killed by ${child.signal}` : `exit code ${child.status}`;
    const lastLine = child.stderr.trim().split('\n').filter((l) => /Error|error/.test(l)).pop()
      ?? child.stderr.trim().split('\n').pop() ?? '';
    return { ok: false, reason: `test load of ${addonPath} failed (${why})${lastLine ? `: ${lastLine.trim()}` : ''}` };
  }
  try {
    return { ok: true, report: JSON.parse(child.stdout.slice(marker + 8)) };
  } catch (err) {
    return { ok: false, reason: `test load of ${addonPath} printed unreadable output: ${(err as Error).message}` };
  }
}
