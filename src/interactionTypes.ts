// The interaction types of dmil-method.md, as data sources with known types label their samples:
//   R redundancy, U1 / U2 uniqueness of modality 1 / 2, S synergy.
export const INTERACTION_TYPES = ['R', 'U1', 'U2', 'S'] as const;
export type InteractionType = (typeof INTERACTION_TYPES)[number];

/**
 * DMIL's component for samples of a type, named as outputs name it: R and S as they are, the
 * uniqueness components after their modality (`U_audio`; U1 and U2 in the method's notation).
 */
export function componentName(t: InteractionType, modalities: readonly string[]): string {
  if (t === 'U1') return `U_${modalities[0]}`;
  if (t === 'U2') return `U_${modalities[1]}`;
  return t;
}
