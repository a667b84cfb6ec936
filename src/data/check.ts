// `dmil data check`: what a researcher should know about a dataset before training on it. Per
// split the samples and class counts; per modality the shape, range, NaN/inf counts and constant
// features; duplicate ids; and leaks between splits: one id in two splits, identical feature rows
// (every modality) in two splits, one group (speaker, actor, patient) in two splits.
import { createHash } from 'node:crypto';
import { featureSize, SPLITS, type Dataset, type SplitName } from './dataset';
import type { NonfiniteCount } from './nonfinite';

const EXAMPLES = 5;

export interface ModalityCheck {
  name: string;
  shape: number[];
  /** Over every finite value (replaced non-finite values count as the 0 they became). */
  min: number;
  max: number;
  nan: number;
  inf: number;
  /** Features with one value in every sample. */
  constantFeatures: number;
}

export interface Overlap<T> {
  count: number;
  examples: T[];
}

export interface DataCheck {
  samples: number;
  classes: string[];
  splits: { split: SplitName; samples: number; classCounts: number[] }[];
  modalities: ModalityCheck[];
  duplicateIds: Overlap<string>;
  idsAcrossSplits: Overlap<{ id: string; splits: SplitName[] }>;
  rowsAcrossSplits: Overlap<{ ids: string[]; splits: SplitName[] }>;
  groupsAcrossSplits?: Overlap<{ group: string; splits: SplitName[] }>;
  /** Non-finite values found, and whether the config replaces them (data.nonfinite: zero). */
  nonfinite: { counts: NonfiniteCount[]; handled: boolean };
  /** What makes the check fail (exit 1): leaks and non-finite values the config does not handle. */
  problems: string[];
}

/** `nonfinite`: the counts the loader found, and whether the config asked for them to be zeroed. */
export function checkDataset(d: Dataset, nonfinite: { counts: NonfiniteCount[]; handled: boolean }): DataCheck {
  const n = d.labels.length;
  const splits = SPLITS.map((split, code) => {
    const classCounts = new Array<number>(d.classNames.length).fill(0);
    let samples = 0;
    for (let i = 0; i < n; i++) {
      if (d.split[i] !== code) continue;
      samples++;
      if (d.labels[i] >= 0) classCounts[d.labels[i]]++;
    }
    return { split, samples, classCounts };
  });
  const modalities = d.modalities.map((m) => modalityCheck(m.name, m.shape, m.values, n, nonfinite.counts.find((c) => c.modality === m.name)));
  const byId = groupBy(n, (i) => d.ids[i]);
  const duplicates = [...byId].filter(([, rows]) => rows.length > 1);
  const idsAcross = duplicates.map(([id, rows]) => ({ id, splits: splitsOf(d, rows) })).filter((x) => x.splits.length > 1);
  const byRow = groupBy(n, (i) => rowHash(d, i));
  const rowsAcross = [...byRow.values()].map((rows) => ({ ids: rows.map((r) => d.ids[r]), splits: splitsOf(d, rows) })).filter((x) => x.splits.length > 1);
  const groupsAcross = d.groups ? [...groupBy(n, (i) => d.groups![i])].map(([group, rows]) => ({ group, splits: splitsOf(d, rows) })).filter((x) => x.splits.length > 1) : undefined;
  const overlap = <T>(xs: T[]): Overlap<T> => ({ count: xs.length, examples: xs.slice(0, EXAMPLES) });
  const check: DataCheck = {
    samples: n, classes: d.classNames, splits, modalities,
    duplicateIds: overlap(duplicates.map(([id]) => id)),
    idsAcrossSplits: overlap(idsAcross),
    rowsAcrossSplits: overlap(rowsAcross),
    ...(groupsAcross ? { groupsAcrossSplits: overlap(groupsAcross) } : {}),
    nonfinite,
    problems: [],
  };
  check.problems = problemsOf(check);
  return check;
}

function problemsOf(c: DataCheck): string[] {
  const out: string[] = [];
  if (c.idsAcrossSplits.count) out.push(`${c.idsAcrossSplits.count} id(s) in more than one split`);
  if (c.rowsAcrossSplits.count) out.push(`${c.rowsAcrossSplits.count} identical feature row(s) in more than one split`);
  if (c.groupsAcrossSplits?.count) out.push(`${c.groupsAcrossSplits.count} group(s) in more than one split`);
  const bad = c.nonfinite.counts.filter((x) => x.nan + x.inf > 0);
  if (bad.length && !c.nonfinite.handled) out.push(`non-finite values the config does not handle: ${bad.map((x) => `${x.modality} ${x.nan} NaN, ${x.inf} inf`).join('; ')} (data.nonfinite: zero replaces them)`);
  return out;
}

function modalityCheck(name: string, shape: number[], values: Float32Array, n: number, found?: NonfiniteCount): ModalityCheck {
  const f = shape.reduce((a, b) => a * b, 1);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  let constantFeatures = 0;
  for (let j = 0; j < f; j++) {
    let same = true;
    for (let i = 1; i < n && same; i++) same = Object.is(values[i * f + j], values[j]);
    if (same) constantFeatures++;
  }
  return { name, shape, min, max, nan: found?.nan ?? 0, inf: found?.inf ?? 0, constantFeatures };
}

/** One hash of a sample's features over every modality (identical rows hash alike). */
function rowHash(d: Dataset, i: number): string {
  const h = createHash('sha256');
  for (const m of d.modalities) {
    const f = featureSize(m);
    const row = m.values.subarray(i * f, i * f + f);
    h.update(new Uint8Array(row.buffer, row.byteOffset, row.byteLength));
  }
  return h.digest('base64');
}

function groupBy(n: number, key: (i: number) => string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const k = key(i);
    const rows = out.get(k);
    if (rows) rows.push(i);
    else out.set(k, [i]);
  }
  return out;
}

const splitsOf = (d: Dataset, rows: number[]): SplitName[] => SPLITS.filter((_, code) => rows.some((r) => d.split[r] === code));
