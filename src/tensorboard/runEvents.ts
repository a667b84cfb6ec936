// What of a dmil run goes into TensorBoard, with which tags: every metrics.csv value as
// `<stage>/<split>/<name>` at its epoch; the running training loss as `<stage>/train/running_loss`
// at the stage's optimiser step; the resolved config as the text `config`; and for the HParams
// tab the run's hyper-parameters (the keys a sweep varies, or --set) with its final metrics
// `final/<split>/<metric>`.
import type { MetricsRow } from '../train/loop';
import { experimentEvent, scalarEvent, sessionEndEvent, sessionStartEvent, textEvent, type HParamValue } from './events';

/** What makes an event one of a kind in a run: its tag and step. */
export const eventKey = (tag: string, step: number): string => `${tag}\u0000${step}`;

/** Where events go: a live event file (writer.ts), or an export's list. */
export interface EventSink {
  /** Adds an event of one summary value, unless (tag, step) is there already; true when added. */
  add(tag: string, step: number, event: Uint8Array): boolean;
}

export const scalarTag = (stage: string, split: string, name: string): string => `${stage}/${split}/${name}`;
export const runningLossTag = (stage: string): string => `${stage}/train/running_loss`;

/** The evaluation figures the HParams tab compares runs on, per split. */
export const FINAL_METRICS = ['accuracy', 'macro_f1', 'synergy_indicator'] as const;
export const finalTag = (split: string, metric: string): string => `final/${split}/${metric}`;
export const finalTags = (): string[] => ['val', 'test'].flatMap((s) => FINAL_METRICS.map((m) => finalTag(s, m)));

const now = () => Date.now() / 1000;

/** Every finite value of the rows (metrics.csv leaves NaN cells empty; so does TensorBoard). */
export function addRows(w: EventSink, rows: readonly MetricsRow[], wallTime = now()): void {
  for (const r of rows) {
    for (const [name, value] of Object.entries(r.values)) {
      if (Number.isFinite(value)) w.add(scalarTag(r.stage, r.split, name), r.epoch, scalarEvent(wallTime, r.epoch, scalarTag(r.stage, r.split, name), value));
    }
  }
}

export function addRunningLoss(w: EventSink, stage: string, step: number, loss: number): void {
  const tag = runningLossTag(stage);
  if (Number.isFinite(loss)) w.add(tag, step, scalarEvent(now(), step, tag, loss));
}

export function addConfig(w: EventSink, yaml: string, wallTime = now()): void {
  w.add('config', 0, textEvent(wallTime, 0, 'config', `\`\`\`yaml\n${yaml}\`\`\``));
}

/** A config's value at a dotted key as an hparam: numbers, strings and booleans as they are, anything else as JSON. */
export function hparamValues(config: unknown, keys: readonly string[]): Record<string, HParamValue> {
  return Object.fromEntries(keys.map((k) => {
    const v = k.split('.').reduce<unknown>((cur, part) => (cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined), config);
    return [k, typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : JSON.stringify(v ?? null)];
  }));
}

export function addSessionStart(w: EventSink, hparams: Record<string, HParamValue>, group: string, wallTime = now()): void {
  w.add('_hparams_/session_start_info', 0, sessionStartEvent(wallTime, hparams, group));
}

/** The final metrics of the run's evaluations (absent or non-numeric ones left out) and the session's end. */
export function addFinal(w: EventSink, reports: Record<string, Record<string, unknown> | undefined>, ok: boolean, wallTime = now()): void {
  for (const [split, report] of Object.entries(reports)) {
    for (const m of FINAL_METRICS) {
      const v = report?.[m];
      if (typeof v === 'number' && Number.isFinite(v)) w.add(finalTag(split, m), 0, scalarEvent(wallTime, 0, finalTag(split, m), v));
    }
  }
  w.add('_hparams_/session_end_info', 0, sessionEndEvent(wallTime, ok));
}

/** The experiment record a sweep's exported folder starts with: its axes and the final metrics. */
export function addExperiment(w: EventSink, name: string, hparams: Record<string, HParamValue>, wallTime = now()): void {
  w.add('_hparams_/experiment', 0, experimentEvent(wallTime, name, hparams, finalTags()));
}
