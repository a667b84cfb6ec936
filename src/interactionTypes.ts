// The interaction types of dmil-method.md, as data sources with known types label their samples:
//   R redundancy, U1 / U2 uniqueness of modality 1 / 2, S synergy.
export const INTERACTION_TYPES = ['R', 'U1', 'U2', 'S'] as const;
export type InteractionType = (typeof INTERACTION_TYPES)[number];
