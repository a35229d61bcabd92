import { CliCommand } from '../command';
import { cpuAddonStatus } from '../../native';

/** `rsna-mammo version`: package version and whether the CPU addon loads. */
export const command: CliCommand = {
  path: ['version'],
  summary: 'print the package version and the native addon status',
  usage: 'Usage: rsna-mammo version [--json]',
  async run(args, io) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const version: string = require('../../../package.json').version;
    const addon = cpuAddonStatus();
    if (args.includes('--json')) {
      io.stdout.write(`${JSON.stringify({ version, cpuAddon: addon })}\n`);
    } else {
      io.stdout.write(`rsna-mammo ${version} (CPU addon ${addon.loaded ? 'loaded' : `not loaded: ${addon.reason}`})\n`);
    }
    return 0;
  },
};
