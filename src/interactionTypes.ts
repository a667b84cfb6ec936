// The interaction types of dmil-method.md, as data sources with known types label their samples:
//   R redundancy, U1 ... UK uniqueness of modality 1 ... K, S synergy.
/** The types with two modalities, in their canonical order. */
export const INTERACTION_TYPES = ['R', 'U1', 'U2', 'S'] as const;
export type InteractionType = 'R' | 'S' | `U${number}`;

/** The types with K modalities, in canonical order: R, U1 ... UK, S. */
export function interactionTypes(modalities: number): InteractionType[] {
  return ['R', ...Array.from({ length: modalities }, (_, m): InteractionType => `U${m + 1}`), 'S'];
}

/** The modality (1-based) a uniqueness type belongs to, or 0 for R and S. */
const uIndex = (t: string) => (/^U\d+$/.test(t) ? Number(t.slice(1)) : 0);

/**
 * The canonical type list for types found in data or metrics: R, U1 ... UK, S with K the largest
 * uniqueness index seen (at least 2, so two-modality data always lists R, U1, U2, S).
 */
export function typeList(found: Iterable<string>): InteractionType[] {
  let k = 2;
  for (const t of found) k = Math.max(k, uIndex(t));
  return interactionTypes(k);
}

/**
 * DMIL's component for samples of a type, named as outputs name it: R and S as they are, the
 * uniqueness components after their modality (`U_audio`; U1, U2, ... in the method's notation).
 */
export function componentName(t: InteractionType, modalities: readonly string[]): string {
  const m = uIndex(t);
  return m > 0 ? `U_${modalities[m - 1]}` : t;
}
