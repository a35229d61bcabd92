/**
 * CLI entry: finds the command whose path matches the leading words, runs it, and turns any error
 * into one line on stderr (naming the file when the error has one) and an exit code of lib/cli/exitCodes.ts:
 * every usage error (unknown command or option, bad value) → the command's usage and EXIT.USAGE;
 * a command that needs the native addon fails with ERR_ADDON_MISSING before doing any work.
 */
import fs from 'fs';
import path from 'path';
import { CliCommand, CliIO } from './command';
import { EXIT } from './exitCodes';
import { isUsageError, usageMessage } from './usageError';
import { loadCpuAddon } from '../native';

function loadCommands(): CliCommand[] {
  const dir = path.join(__dirname, 'commands');
  const ext = path.extname(__filename); // .ts under ts-node, .js from dist
  const commands: CliCommand[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    if (!name.endsWith(ext) || name.endsWith('.d.ts')) continue;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mod = require(path.join(dir, name)) as { command?: CliCommand; commands?: CliCommand[] };
    if (mod.command) commands.push(mod.command);
    if (mod.commands) commands.push(...mod.commands);
  }
  return commands;
}

function usage(commands: CliCommand[]): string {
  const lines = ['Usage: rsna-mammo <command> [options]', '', 'Commands:'];
  const width = Math.max(...commands.map((c) => c.path.join(' ').length), 8);
  for (const c of [...commands].sort((a, b) => a.path.join(' ').localeCompare(b.path.join(' ')))) {
    lines.push(`  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  }
  lines.push('', 'Run `rsna-mammo <command> --help` for the options of one command.');
  return lines.join('\n') + '\n';
}

/** Runs the CLI with `argv` (without node and script); resolves to the process exit code. */
export async function main(argv: string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const commands = loadCommands();
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    (argv.length === 0 ? io.stderr : io.stdout).write(usage(commands));
    return argv.length === 0 ? EXIT.USAGE : EXIT.OK;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    io.stdout.write(`${require('../../package.json').version}\n`);
    return 0;
  }
  // Longest matching command path wins (`dicom decode` before `dicom`).
  const match = commands
    .filter((c) => c.path.every((word, i) => argv[i] === word))
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (!match) {
    io.stderr.write(`rsna-mammo: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${usage(commands)}`);
    return EXIT.USAGE;
  }
  const rest = argv.slice(match.path.length);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(match.usage.endsWith('\n') ? match.usage : `${match.usage}\n`);
    return EXIT.OK;
  }
  const name = `rsna-mammo ${match.path.join(' ')}`;
  try {
    if (match.needsAddon) loadCpuAddon(); // fail fast, before any model conversion or file output
    return await match.run(rest, io);
  } catch (err) {
    if (isUsageError(err)) {
      io.stderr.write(`${name}: ${usageMessage(err)}\n\n${match.usage.endsWith('\n') ? match.usage : `${match.usage}\n`}`);
      return EXIT.USAGE;
    }
    const e = err as { message?: string; code?: string };
    const code = e && typeof e.code === 'string' ? ` [${e.code}]` : '';
    io.stderr.write(`${name}: ${e && e.message ? e.message : String(err)}${code}\n`);
    return EXIT.FAILURE;
  }
}
