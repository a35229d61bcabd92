/**
 * `rsna-mammo dicom decode` and `rsna-mammo dicom render`: one DICOM file → JSON facts and stored
 * values (raw), or → an 8-bit PNG.
 */
import fs from 'fs';
import { parseArgs } from 'util';
import { encode } from 'fast-png';
import { CliCommand } from '../command';
import { RsnaMammoError } from '../../errors';
import { closeWasmPool, decodeFrame, frameSha256, readDicom, renderFrame } from '../../dicom';
import type { DecoderChoice } from '../../dicom';

function intOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `--${name} expects a non-negative integer, got "${value}"`);
  return Number(value);
}

function decoderOption(value: string | undefined): DecoderChoice {
  if (value === undefined) return 'auto';
  if (value !== 'auto' && value !== 'native' && value !== 'wasm') throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `--decoder expects auto, native or wasm, got "${value}"`);
  return value;
}

function oneFile(positionals: string[]): string {
  if (positionals.length !== 1) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', "expected one DICOM file");
  return positionals[0];
}

function minMax(pixels: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

const DECODE_USAGE = 'Usage: rsna-mammo dicom decode <file> --json [--frame N] [--out raw.bin] [--decoder auto|native|wasm]';

const decode: CliCommand = {
  path: ['dicom', 'decode'],
  needsAddon: true,
  summary: 'decode one frame of a DICOM file; print its header facts, decoder, min/max and SHA-256',
  usage: `${DECODE_USAGE}

Prints one JSON object (--json) with the header facts (transferSyntaxUID, rows, columns, numberOfFrames,
bitsAllocated, bitsStored, pixelRepresentation, photometricInterpretation, windowCenter[], windowWidth[],
voiLutFunction, rescaleSlope, rescaleIntercept, ...), the decoder that ran, min, max and sha256 of the
frame's stored values (natural dtype, little endian: the MANIFEST.json frame0_sha256 rule).
--out writes those stored values as raw little-endian samples.`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, frame: { type: 'string' }, out: { type: 'string' }, decoder: { type: 'string' } },
    });
    const file = oneFile(positionals);
    const frameIndex = intOption('frame', values.frame, 0);
    const image = await readDicom(file);
    try {
      const t0 = process.hrtime.bigint();
      const frame = await decodeFrame(image, frameIndex, { decoder: decoderOption(values.decoder) });
      const decodeMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (values.out) fs.writeFileSync(values.out, Buffer.from(frame.pixels.buffer, frame.pixels.byteOffset, frame.pixels.byteLength));
      const facts = {
        file,
        transferSyntaxUID: image.transferSyntaxUID,
        rows: image.rows,
        columns: image.columns,
        numberOfFrames: image.numberOfFrames,
        frame: frameIndex,
        samplesPerPixel: image.samplesPerPixel,
        bitsAllocated: image.bitsAllocated,
        bitsStored: image.bitsStored,
        highBit: image.highBit,
        pixelRepresentation: image.pixelRepresentation,
        photometricInterpretation: image.photometricInterpretation,
        windowCenter: image.windowCenter,
        windowWidth: image.windowWidth,
        voiLutFunction: image.voiLutFunction ?? null,
        rescaleSlope: image.rescaleSlope ?? null,
        rescaleIntercept: image.rescaleIntercept ?? null,
        presentationLutShape: image.presentationLutShape ?? null,
        pixelPaddingValue: image.pixelPaddingValue ?? null,
        imageLaterality: image.imageLaterality ?? null,
        viewPosition: image.viewPosition ?? null,
        decoder: frame.decoder,
        decodeMs: Math.round(decodeMs * 10) / 10,
        ...minMax(frame.pixels),
        sha256: frameSha256(frame, image),
        ...(values.out ? { out: values.out } : {}),
      };
      if (values.json) io.stdout.write(`${JSON.stringify(facts)}\n`);
      else io.stdout.write(`${file}: ${facts.columns}x${facts.rows} ${facts.bitsStored}/${facts.bitsAllocated}-bit, ${frame.decoder}, min ${facts.min} max ${facts.max}, sha256 ${facts.sha256}\n`);
      return 0;
    } finally {
      await closeWasmPool();
    }
  },
};

const RENDER_USAGE = 'Usage: rsna-mammo dicom render <file> --out img.png [--mode original|standard] [--window N] [--voi-lut N] [--frame N] [--decoder auto|native|wasm]';

const render: CliCommand = {
  path: ['dicom', 'render'],
  needsAddon: true,
  summary: 'render one frame of a DICOM file to an 8-bit PNG (standard DICOM display or the original pipeline)',
  usage: `${RENDER_USAGE}

--mode standard (default): DICOM display (modality LUT/rescale, VOI LUT or window incl. SIGMOID,
  MONOCHROME1 inverted), like DCMTK dcm2pnm.
--mode original: the winning pipeline's windowing (ALGORITHMS.md §1.4-1.7): no rescale, window N
  (default 0), MONOCHROME1 inverted, truncated.
--window N / --voi-lut N: 0-based window or VOI LUT item.`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        out: { type: 'string' }, mode: { type: 'string' }, window: { type: 'string' }, 'voi-lut': { type: 'string' },
        frame: { type: 'string' }, decoder: { type: 'string' },
      },
    });
    const file = oneFile(positionals);
    if (!values.out) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `--out img.png is required. ${RENDER_USAGE}`);
    const mode = values.mode ?? 'standard';
    if (mode !== 'original' && mode !== 'standard') throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `--mode expects original or standard, got "${mode}"`);
    const windowIndex = values.window === undefined ? undefined : intOption('window', values.window, 0);
    const voiLutIndex = values['voi-lut'] === undefined ? undefined : intOption('voi-lut', values['voi-lut'], 0);
    const image = await readDicom(file);
    try {
      const frame = await decodeFrame(image, intOption('frame', values.frame, 0), { decoder: decoderOption(values.decoder) });
      const rendered = await renderFrame(image, frame, { mode, windowIndex, voiLutIndex });
      const png = encode({ width: rendered.columns, height: rendered.rows, data: rendered.pixels, channels: rendered.channels, depth: 8 });
      fs.writeFileSync(values.out, png);
      io.stdout.write(`${values.out}: ${rendered.columns}x${rendered.rows} 8-bit ${rendered.channels === 1 ? 'grey' : 'RGB'} PNG (${mode}, ${frame.decoder})\n`);
      return 0;
    } finally {
      await closeWasmPool();
    }
  },
};

export const commands: CliCommand[] = [decode, render];
