// Small value schemas shared by the config sections.
import { z } from 'zod';

/** Initial weight schemes (models/params.ts draws them). */
export const INIT_SCHEMES = ['torch', 'he', 'glorot'] as const;
export type InitScheme = (typeof INIT_SCHEMES)[number];

/** Validation metrics for early stopping and model selection (train/earlyStop.ts scores them). */
export const EARLY_STOP_METRICS = ['val_ce', 'val_accuracy', 'val_loss'] as const;
export type EarlyStopMetric = (typeof EARLY_STOP_METRICS)[number];

export const int = () => z.number().int();
export const positiveInt = () => int().min(1);
export const share = () => z.number().min(0);
export const identifier = () => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, "_", "-" and "." only').max(64, 'at most 64 characters');

/** For lists of named things (modalities): each name once. */
export function uniqueNames(list: readonly { name: string }[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  list.forEach((item, i) => {
    if (seen.has(item.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `modality name "${item.name}" is used twice; give each modality its own name` });
    seen.add(item.name);
  });
}
