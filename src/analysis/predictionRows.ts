// A prediction record as the CSV `dmil predict` writes: per sample its id, its label where the
// data has one, the predicted class, every class's probability (p_<class>), the gate weights
// (gate_<component>) for paradigms with a gate, and the user's group where there is one.
import { stringify } from 'csv-stringify/sync';
import type { Predictions } from './predictions';
import { argmaxRows } from './metrics';

export function predictionRows(x: Predictions): string {
  const C = x.classes;
  const comps = Object.keys(x.components ?? {});
  const header = [
    'id', ...(x.unlabelled ? [] : ['label']), 'prediction', ...x.classNames.map((c) => `p_${c}`),
    ...(x.gate ? comps.map((c) => `gate_${c}`) : []), ...(x.groups ? ['group'] : []),
  ];
  const predicted = argmaxRows(x.probs, C);
  const rows = x.ids.map((id, i) => {
    return [
      id, ...(x.unlabelled ? [] : [x.classNames[x.labels[i]]]), x.classNames[predicted[i]],
      ...Array.from(x.probs.subarray(i * C, (i + 1) * C), String),
      ...(x.gate ? comps.map((_, j) => String(x.gate![i * comps.length + j])) : []), ...(x.groups ? [x.groups[i]] : []),
    ];
  });
  return stringify([header, ...rows]);
}
