/**
 * CLI entry: finds the command whose path matches the leading words, runs it, and turns any error
 * into one line on stderr (naming the file when the error has one) and a non-zero exit code.
 */
import fs from 'fs';
import path from 'path';
import { CliCommand, CliIO } from './command';

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
    io.stdout.write(usage(commands));
    return argv.length === 0 ? 1 : 0;
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
    return 2;
  }
  const rest = argv.slice(match.path.length);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(match.usage.endsWith('\n') ? match.usage : `${match.usage}\n`);
    return 0;
  }
  try {
    return await match.run(rest, io);
  } catch (err) {
    const e = err as { message?: string; code?: string };
    const code = e && typeof e.code === 'string' ? ` [${e.code}]` : '';
    io.stderr.write(`rsna-mammo ${match.path.join(' ')}: ${e && e.message ? e.message : String(err)}${code}\n`);
    return 1;
  }
}
