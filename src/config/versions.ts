// Behaviour by dmil version. A run's config.yaml is the resolved config of the version that
// trained it; a later version may have added keys (their defaults chosen for new runs) or changed
// a section's layout. Reading an older run's config brings it to today's schema with the values
// that reproduce what that version did, so `eval`, `--resume` and re-running it mean what the run
// meant. CHANGELOG.md lists the same changes for people.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** This dmil's version (package.json). */
export const DMIL_VERSION = (JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

type Raw = Record<string, unknown>;

interface Step {
  /** The version whose configs this step upgrades, to the next entry's. */
  from: string;
  to: string;
  /** What the step fills or moves, in words (shown with --verbose and in the CHANGELOG). */
  changes: string[];
  apply: (raw: Raw) => void;
}

const section = (raw: Raw, key: string): Raw => {
  const v = raw[key];
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Raw;
  const fresh: Raw = {};
  raw[key] = fresh;
  return fresh;
};

const fill = (node: Raw, key: string, value: unknown) => {
  if (!(key in node)) node[key] = value;
};

/**
 * The upgrade steps, oldest first. 0.1.0 and 0.2.0 are the releases up to commits 8bde177 and
 * 51badc7 (package.json said 0.1.0 for both; their configs tell them apart, see configVersion).
 */
const STEPS: Step[] = [
  {
    from: '0.1.0',
    to: '0.2.0',
    changes: [
      'model: every paradigm carried head and dmil; each keeps only its own (head: joint, dmil: dmil)',
      'model.init: he (0.1 initialised He-normal / Glorot-normal; 0.2 made torch the default)',
      'train.divergence: 0 (0.1 stopped a run only on a NaN loss)',
      'train.checkpoint_seconds: 0 (0.1 wrote the resume checkpoint after every epoch; results do not depend on it)',
      'train.keep_incoming: false (0.1 kept the best trained epoch of a stage even when the model the stage started from was better)',
    ],
    apply: (raw) => {
      const model = section(raw, 'model');
      const paradigm = model.paradigm ?? 'joint';
      if (paradigm !== 'joint') delete model.head;
      if (paradigm !== 'dmil') delete model.dmil;
      fill(model, 'init', 'he');
      const train = section(raw, 'train');
      fill(train, 'divergence', 0);
      fill(train, 'checkpoint_seconds', 0);
      fill(train, 'keep_incoming', false);
    },
  },
  {
    from: '0.2.0',
    to: '0.3.0',
    changes: ['train.keep_incoming: true (added in 0.3.0 to reproduce 0.1; 0.2 kept the incoming model when no epoch beat it)'],
    apply: (raw) => fill(section(raw, 'train'), 'keep_incoming', true),
  },
  {
    from: '0.3.0',
    to: '0.4.0',
    changes: [
      'nothing to fill: 0.4.0 changed DMIL\'s defaults (three stages, adversary off, s_loss ce, finetune.mixture_to_components true) and a run\'s config.yaml holds the values it was trained with',
      'data.mix: U3 ... U8 for synthetic data with more than two modalities (optional; absent in older configs, which have two modalities)',
    ],
    apply: () => undefined,
  },
];

export const KNOWN_VERSIONS = [...STEPS.map((s) => s.from), STEPS[STEPS.length - 1].to];

const compare = (a: string, b: string) => {
  const [x, y] = [a, b].map((v) => v.split(/[.-]/).slice(0, 3).map(Number));
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};

/**
 * The version whose schema wrote a run's resolved config. `recorded` is meta.json's
 * versions.dmil; before 0.3.0 it said 0.1.0 for two layouts, told apart by model.init (0.2.0 wrote
 * it into every config).
 */
export function configVersion(raw: Raw, recorded: string | undefined): string {
  if (recorded !== undefined && compare(recorded, '0.3.0') >= 0) return recorded;
  const model = raw.model;
  return model && typeof model === 'object' && 'init' in model ? '0.2.0' : '0.1.0';
}

/** A copy of a run config of `version` in today's layout, with that version's behaviour where keys were added since. */
export function upgradeConfig(raw: Raw, version: string): { config: Raw; steps: string[] } {
  const config = structuredClone(raw);
  const steps: string[] = [];
  for (const step of STEPS) {
    if (compare(version, step.to) >= 0) continue;
    step.apply(config);
    steps.push(`${step.from} -> ${step.to}`);
  }
  return { config, steps };
}

/** Whether a run of `version` is from a newer dmil than this one (its config may hold keys this one does not know). */
export const isNewer = (version: string) => compare(version, DMIL_VERSION) > 0;

/** The changes each step makes, for the docs. */
export const versionSteps = (): { from: string; to: string; changes: string[] }[] => STEPS.map(({ from, to, changes }) => ({ from, to, changes }));
