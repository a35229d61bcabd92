import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { collectDoctorReport, formatDoctorReport } from '../../doctor/report';

/** `rsna-mammo doctor [--json]`: what this machine offers and what rsna-mammo will use. */
export const command: CliCommand = {
  path: ['doctor'],
  summary: 'show native addons, codecs, GPU/CUDA, TensorRT, ONNX Runtime and libtorch, and what will be used',
  usage: [
    'Usage: rsna-mammo doctor [--json]',
    '',
    'Reports the CPU addon and its codecs (native or WASM fallback), the NVIDIA driver, the CUDA addon',
    '(built / loadable in a child process / used, and why not), GPU names and compute capability,',
    'TensorRT (version or why not), ONNX Runtime (version, providers) and libtorch.',
    '  --json   machine-readable report; keys are stable (docs/GPU.md "doctor --json")',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, strict: true });
    const report = collectDoctorReport();
    io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report));
    return 0;
  },
};
