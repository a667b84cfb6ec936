// Class maps: labels as the data names them (integers or strings) <-> class indices.
import { UserError } from '../errors';

/** Sorted class names: numerically when every label is an integer, else lexicographically. */
export function classNamesOf(raw: readonly string[]): string[] {
  const unique = [...new Set(raw)];
  const numeric = unique.every((s) => /^-?\d+$/.test(s));
  return numeric ? unique.sort((a, b) => Number(a) - Number(b)) : unique.sort();
}

/** Class index per sample; `where(i)` names sample i in an error (unknown label). */
export function encodeLabels(raw: readonly string[], classNames: readonly string[], where: (i: number) => string): Int32Array {
  const index = new Map(classNames.map((c, i) => [c, i]));
  return Int32Array.from(raw, (label, i) => {
    const c = index.get(label);
    if (c === undefined) {
      throw new UserError(`label "${label}" is not one of the run's classes`, { where: where(i), hint: `known classes: ${classNames.slice(0, 12).join(', ')}${classNames.length > 12 ? ', ...' : ''}` });
    }
    return c;
  });
}

/** Split codes 0/1/2 from train/val/test. */
export function splitCode(value: string, where: () => string): number {
  const code = ['train', 'val', 'test'].indexOf(value.trim().toLowerCase());
  if (code < 0) throw new UserError(`unknown split value "${value}"`, { where: where(), hint: 'use train, val or test' });
  return code;
}

/** Class names from labels given as strings or whole numbers; `where(i)` names a label that is neither. */
export function classLabelStrings(values: readonly (string | number)[], where: (i: number) => string): string[] {
  return values.map((v, i) => {
    if (typeof v === 'string') return v;
    if (!Number.isInteger(v)) throw new UserError(`label ${v} is not an integer`, { where: where(i), hint: 'class labels are integers or strings; numeric targets need data.label_transform' });
    return String(v);
  });
}
