// The idx source: MNIST-family image files, each image split into two views (top/bottom or
// left/right halves), each view a modality of shape [H, W, 1] scaled to [0, 1].
import type { IdxConfig } from '../config/dataSchema';
import { UserError } from '../errors';
import { Rng } from '../rng';
import type { Dataset, ModalityData } from './dataset';
import { readLabelledImages } from './idx';
import { stratifiedSplit } from './split';

export function loadIdx(cfg: IdxConfig, seed: number): Dataset {
  const train = readLabelledImages(cfg.images, cfg.labels, cfg.limit);
  if ((cfg.test_images === undefined) !== (cfg.test_labels === undefined)) throw new UserError('give both test_images and test_labels, or neither', { where: 'data' });
  const test = cfg.test_images ? readLabelledImages(cfg.test_images, cfg.test_labels!, cfg.limit ? Math.ceil(cfg.limit / 6) : undefined) : undefined;
  if (test && (test.h !== train.h || test.w !== train.w)) throw new UserError(`test images are ${test.h}x${test.w}, training images ${train.h}x${train.w}`, { where: cfg.test_images! });
  const { h, w } = train;
  const n = train.n + (test?.n ?? 0);
  const topBottom = cfg.views.halves === 'top-bottom';
  const [vh, vw] = topBottom ? [Math.floor(h / 2), w] : [h, Math.floor(w / 2)];
  const views = [new Float32Array(n * vh * vw), new Float32Array(n * vh * vw)];
  const copy = (pixels: Uint8Array, src: number, dst: number) => {
    for (let v = 0; v < 2; v++) {
      const out = views[v];
      let o = dst * vh * vw;
      for (let y = 0; y < vh; y++) {
        for (let x = 0; x < vw; x++) {
          const sy = topBottom ? y + v * (h - vh) : y;
          const sx = topBottom ? x : x + v * (w - vw);
          out[o++] = pixels[src * h * w + sy * w + sx] / 255;
        }
      }
    }
  };
  for (let i = 0; i < train.n; i++) copy(train.pixels, i, i);
  for (let i = 0; i < (test?.n ?? 0); i++) copy(test!.pixels, i, train.n + i);

  const labels = new Int32Array(n);
  labels.set(train.labels);
  if (test) labels.set(test.labels, train.n);
  const classes = labels.reduce((m, l) => Math.max(m, l), -1) + 1;
  const rng = Rng.derive(cfg.seed ?? seed, 'split');
  let split: Uint8Array;
  if (test) {
    // The separate test set is the test split; validation is carved from the training images.
    const trainSplit = stratifiedSplit(Int32Array.from(train.labels), classes, cfg.split.val, 0, rng);
    split = new Uint8Array(n).fill(2);
    split.set(trainSplit);
  } else {
    split = stratifiedSplit(labels, classes, cfg.split.val, cfg.split.test, rng);
  }
  const names = topBottom ? ['top', 'bottom'] : ['left', 'right'];
  const modalities: ModalityData[] = names.map((name, v) => ({ name, shape: [vh, vw, 1], values: views[v] }));
  const ids = [...Array.from({ length: train.n }, (_, i) => `train-${i}`), ...Array.from({ length: test?.n ?? 0 }, (_, i) => `test-${i}`)];
  return { modalities, labels, classNames: Array.from({ length: classes }, (_, c) => String(c)), ids, split };
}
