// Reading IDX files (the MNIST family's format), gzipped or not: a magic number giving the
// element type and rank, the dimensions, then the data, big-endian.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { UserError } from '../errors';
import { requireFile } from './files';

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

export function readIdx(file: string): IdxArray {
  requireFile(file, 'file', 'for Fashion-MNIST: apt-get install dataset-fashion-mnist (files in /usr/share/datasets/fashion-mnist)');
  let buf = fs.readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = zlib.gunzipSync(buf);
    } catch (e) {
      throw new UserError(`truncated or corrupt gzip (${(e as Error).message})`, { where: file, hint: 'download or copy the file again' });
    }
  }
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new UserError('not an IDX file (bad magic number)', { where: file });
  if (buf[2] !== 0x08) throw new UserError(`unsupported IDX element type 0x${buf[2].toString(16)}`, { where: file, hint: 'only unsigned bytes (0x08) are supported' });
  const rank = buf[3];
  const shape = Array.from({ length: rank }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const start = 4 + 4 * rank;
  const count = shape.reduce((a, b) => a * b, 1);
  if (buf.length < start + count) throw new UserError(`truncated IDX data: ${buf.length - start} bytes, shape (${shape.join(', ')}) needs ${count}`, { where: file });
  return { shape, data: new Uint8Array(buf.buffer, buf.byteOffset + start, count) };
}

export interface LabelledImages {
  n: number;
  h: number;
  w: number;
  /** [n, h, w] bytes. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** An image file (N, H, W) and its label file (N,), checked against each other; the first `limit` images. */
export function readLabelledImages(imagesFile: string, labelsFile: string, limit?: number): LabelledImages {
  const images = readIdx(imagesFile);
  const labels = readIdx(labelsFile);
  if (images.shape.length !== 3) throw new UserError(`images must be (N, H, W), got (${images.shape.join(', ')})`, { where: imagesFile });
  if (labels.shape.length !== 1) throw new UserError(`labels must be (N,), got (${labels.shape.join(', ')})`, { where: labelsFile });
  if (labels.shape[0] !== images.shape[0]) throw new UserError(`${labels.shape[0]} labels for ${images.shape[0]} images`, { where: labelsFile, hint: 'use the label file that belongs to the image file' });
  const n = Math.min(images.shape[0], limit ?? Infinity);
  return { n, h: images.shape[1], w: images.shape[2], pixels: images.data, labels: labels.data.subarray(0, n) };
}
