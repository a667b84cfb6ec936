// Learning-rate schedules as pure functions of the epoch (0-based) within a stage.
import type { TrainConfig } from '../config/schema';

export function learningRate(baseLr: number, schedule: TrainConfig['schedule'], epoch: number, totalEpochs: number): number {
  switch (schedule.type) {
    case 'none':
      return baseLr;
    case 'step':
      return baseLr * schedule.gamma ** Math.floor(epoch / schedule.step_size);
    case 'cosine': {
      const progress = totalEpochs <= 1 ? 0 : epoch / (totalEpochs - 1);
      return schedule.min_lr + 0.5 * (baseLr - schedule.min_lr) * (1 + Math.cos(Math.PI * progress));
    }
  }
}
