// PID of synthetic data of one interaction type (4 classes, 6,000 samples, low noise): the fast
// tier checks the exact estimator on it, the integration tier the (slower) batch estimator.
import { configFromObject } from '../../src/config/load';
import { prepareForTraining } from '../../src/experiment/data';
import { measurePid, type PidEstimator } from '../../src/pid/measure';
import { silentLogger } from '../../src/log';

export type SingleType = 'R' | 'U1' | 'U2' | 'S';

function singleType(type: SingleType) {
  const mix = { R: 0, U1: 0, U2: 0, S: 0, [type]: 1 };
  return configFromObject({
    name: `pid-${type}`, seed: 1,
    data: { source: 'synthetic', samples: 6000, classes: 4, mix, modalities: [{ name: 'a', dim: 32, noise: 0.3 }, { name: 'b', dim: 32, noise: 0.3 }] },
    model: { paradigm: 'joint', backbone: { hidden: [64], out: 32 } },
    train: { epochs: 12, early_stop: { patience: 3 } },
    pid: { bootstrap: 0 },
  }).config;
}

export async function pidOf(type: SingleType, estimators: PidEstimator[]) {
  const config = singleType(type);
  const { data } = await prepareForTraining(config);
  return measurePid({ config, data, estimators, pointwise: false, logger: silentLogger });
}
