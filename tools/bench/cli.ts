import path from 'path';
import { parseArgs } from 'util';
import { CliCommand } from '../../lib/cli/command';
import { packageRoot } from '../../lib/util/packageRoot';
import { runBench } from './harness/run';
import { StageName } from './harness/types';
import { invalidArgument } from '../../lib/errors';

const STAGES: StageName[] = ['decode', 'detector_input', 'otsu_roi', 'classifier_input', 'yolox', 'ensemble', 'e2e', 'sweep'];

const USAGE = `Usage: npm run bench -- [--quick] [options]

Runs rsna-mammo and the original pipeline's algorithms in Python (tools/peers/bench_peer.py, Debian
python3-torch/-opencv/-numpy/-pydicom/-gdcm: \`bash scripts/install-system-deps.sh --bench\`) side by
side, stage by stage and end to end, at 1 thread and at all cores, and writes a JSON file, a Markdown
table and an SVG chart to tools/bench/results/. Each ratio is original ms ÷ rsna-mammo ms, reported only
when both sides computed the same output.

Options:
  --quick             one input per row, the small ensemble, sweep 1/4 (under 3 min on 2 cores)
  --stages LIST       comma-separated subset of: ${STAGES.join(', ')}
  --threads LIST      thread counts (default: 1 and all cores)
  --shared DIR        the shared data folder (default: ../shared next to the package)
  --out DIR           results folder (default: tools/bench/results)
  --cache DIR         synthetic inputs, random checkpoints, job outputs (default: tools/bench/results/tmp)
  --timeout SECONDS   per side and job (default 120 quick, 1800 full)
  --process-per-row   one process per row and side (default in full mode; quick batches rows per thread count)
  --profile DIR       write node --cpu-prof (.cpuprofile) and Python cProfile (.pstats) files per job`;

/** `npm run bench`: the side-by-side benchmark (tools/bench/harness). */
export const command: CliCommand = {
  path: ['bench'],
  summary: 'benchmark rsna-mammo against the original Python pipeline, stage by stage',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        quick: { type: 'boolean', default: false },
        stages: { type: 'string' },
        threads: { type: 'string' },
        shared: { type: 'string' },
        out: { type: 'string' },
        cache: { type: 'string' },
        timeout: { type: 'string' },
        profile: { type: 'string' },
        'process-per-row': { type: 'boolean' },
      },
      strict: true,
    });
    const stages = values.stages ? (values.stages.split(',').map((s) => s.trim()) as StageName[]) : [];
    for (const s of stages) if (!STAGES.includes(s)) throw invalidArgument('--stages', `a list of ${STAGES.join('|')}`, s);
    const threads = values.threads ? values.threads.split(',').map(Number) : [];
    if (threads.some((t) => !Number.isInteger(t) || t < 1)) throw invalidArgument('--threads', 'positive integers', values.threads);
    const timeoutS = values.timeout === undefined ? undefined : Number(values.timeout);
    if (timeoutS !== undefined && !(timeoutS > 0)) throw invalidArgument('--timeout', 'a positive number of seconds', values.timeout);
    const outDir = path.resolve(values.out ?? path.join(packageRoot, 'tools', 'bench', 'results'));
    const { files, result } = await runBench({
      mode: values.quick ? 'quick' : 'full',
      sharedDir: path.resolve(values.shared ?? path.join(packageRoot, '..', 'shared')),
      outDir,
      cacheDir: path.resolve(values.cache ?? path.join(outDir, 'tmp')),
      stages,
      threads,
      timeoutS,
      oneProcessPerRow: values['process-per-row'],
      profileDir: values.profile ? path.resolve(values.profile) : undefined,
      log: (line) => io.stderr.write(`bench: ${line}\n`),
    });
    const bad = result.rows.filter((r) => r.same_output === false);
    io.stdout.write(`${files.md}\n${files.json}\n${files.svg}\n`);
    if (bad.length) io.stderr.write(`bench: ${bad.length} row(s) where the two sides computed different outputs (see the table)\n`);
    return 0;
  },
};

// `npm run bench -- [options]` (repository only: the benchmark is not part of the package).
if (require.main === module) {
  const io = { stdout: process.stdout, stderr: process.stderr };
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE.replace('rsna-mammo bench', 'npm run bench --')}\n`);
  } else {
    command.run(argv, io).then(
      (code) => { process.exitCode = code; },
      (err: Error & { code?: string }) => { process.stderr.write(`bench: ${err.message}${err.code ? ` [${err.code}]` : ''}\n`); process.exitCode = 1; },
    );
  }
}
