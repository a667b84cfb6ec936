// The divergence guard: a training loss that is not finite, or that grew past train.divergence
// times the incoming model's, ends the run as failed with one clear line.
import { UserError } from '../errors';

/** How many times an epoch's training loss exceeds the stage's starting loss (taken as at least 1 in size). */
export const divergence = (loss: number, start: number): number => Math.abs(loss) / Math.max(1, Math.abs(start));

/** Throws when epoch `epoch`'s (from 1) training loss is not finite or grew past `factor` times `incoming` (0: no limit). */
export function guardDivergence(loss: number, at: { stage: string; epoch: number; incoming: number; factor: number }): void {
  const where = `stage ${at.stage}`;
  if (!Number.isFinite(loss)) {
    throw new UserError(`the training loss became ${loss} in epoch ${at.epoch}: training diverged`, {
      where, hint: 'lower the learning rate (train.optimizer.lr, or the stage\'s lr), or check the data for extreme values; the run is marked failed',
    });
  }
  const growth = divergence(loss, at.incoming);
  if (at.factor > 0 && growth > at.factor) {
    throw new UserError(`the training loss grew to ${loss.toPrecision(3)} in epoch ${at.epoch}, ${growth.toPrecision(2)} times its starting value ${at.incoming.toPrecision(3)}: training diverged`, {
      where, hint: `lower the learning rate (train.optimizer.lr, or the stage's lr); train.divergence sets the factor (now ${at.factor}); the run is marked failed`,
    });
  }
}
