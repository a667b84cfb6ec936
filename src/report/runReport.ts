// The report of one run: what it is and where it came from, its learning curves per stage, its
// test metrics per class and per interaction type, and, where the paradigm has them, the gate,
// the components and their evidence (DMIL) or the members' agreement (ensemble). A run that is
// still training (or stopped) gets what exists so far.
import { wilsonInterval } from '../analysis/intervals';
import { interactionScores, type ScoreRow } from '../analysis/interactionScores';
import { argmaxRows } from '../analysis/metrics';
import type { EvalReport } from '../experiment/evaluate';
import type { DataInfo } from '../experiment/data';
import type { Predictions } from '../analysis/predictions';
import { typeList } from '../interactionTypes';
import type { RunMeta, RunStatus } from '../runs/meta';
import type { MetricsRow } from '../train/loop';
import { barsWithIntervals, heatmap, histogram, histograms, stageCurves, type Bin, type CurvePoint, type ShareRow } from './charts';
import { esc, f3, page, preBlock, tableBlock, text, withCi, type Block, type Figure, type Section, type Table } from './html';
import { figure } from './vega';

export interface RunReportInput {
  id: string;
  meta: RunMeta;
  status: RunStatus;
  configText: string;
  dataInfo: DataInfo | undefined;
  metrics: MetricsRow[];
  /** The run's evaluations by split, where they exist. */
  evals: { test?: EvalReport; val?: EvalReport };
  /** Per-sample predictions on the test split (done runs). */
  predictions?: Predictions;
  /** Why there are no per-sample predictions, when there are none. */
  noPredictions?: string;
}


/** Columns of metrics.csv that are not curves: bookkeeping. */
const NOT_CURVES = new Set(['lr', 'epoch_seconds']);

/** Each stage's learning curves, in training order. */
async function trainingSection(x: RunReportInput): Promise<Section> {
  const stages = [...new Set(x.metrics.map((r) => r.stage))];
  const blocks: Block[] = [];
  if (!stages.length) blocks.push(text('No epoch has finished yet.'));
  for (const stage of stages) {
    const rows = x.metrics.filter((r) => r.stage === stage);
    const points: CurvePoint[] = rows.flatMap((r) => Object.entries(r.values).filter(([k, v]) => !NOT_CURVES.has(k) && Number.isFinite(v)).map(([metric, value]) => ({ epoch: r.epoch, split: r.split, metric, value })));
    const kept = x.meta.selection?.[stage];
    const columns = [...new Set(points.map((p) => p.metric))];
    const sel = kept ? ` It kept epoch ${kept.best_epoch} of ${kept.epochs} by ${kept.metric} (val accuracy ${f3(kept.best.val_accuracy)}; the model it started from: ${f3(kept.incoming.val_accuracy)}).` : ' The stage has not chosen its epoch yet.';
    const seconds = rows.filter((r) => r.split === 'train').reduce((a, r) => a + (r.values.epoch_seconds ?? 0), 0);
    blocks.push(await figure(`curves-${stage}`, `Stage ${stage}: every loss term and the accuracy per epoch, on the training split (mean over the epoch's batches) and the validation split; epoch 0 is the model the stage started from.${sel} Training time ${seconds.toFixed(1)} s.`,
      stageCurves(stage, points, kept?.best_epoch),
      { header: ['epoch', 'split', ...columns], rows: rows.map((r) => [String(r.epoch), r.split, ...columns.map((c) => (r.values[c] === undefined ? '' : r.values[c].toPrecision(5)))]) }));
  }
  return { id: 'training', title: 'Training', blocks };
}

/** Per-class recall and the confusion matrix of an evaluation. */
async function classSection(r: EvalReport): Promise<Section> {
  const { classes, counts } = r.confusion;
  const rowsOf = counts.map((row) => row.reduce((a, b) => a + b, 0));
  const recall: ShareRow[] = classes.map((c, i) => {
    const ci = wilsonInterval(counts[i][i], rowsOf[i]);
    return { name: c, value: rowsOf[i] ? counts[i][i] / rowsOf[i] : Number.NaN, lo: ci[0], hi: ci[1] };
  });
  const cells = classes.flatMap((t, i) => classes.map((p, j) => ({ row: t, col: p, value: rowsOf[i] ? counts[i][j] / rowsOf[i] : 0, label: String(counts[i][j]) })));
  return {
    id: 'classes', title: `Classes (${r.split} split, ${r.samples} samples)`, blocks: [
      await figure('per-class', 'Recall per class (share of the class\'s samples predicted right), with 95% Wilson intervals.',
        barsWithIntervals('recall per class', 'true class', `recall (fraction, ${r.split})`, recall, { yDomain: [0, 1], order: classes }),
        { header: ['class', 'samples', 'recall [95% interval]'], rows: recall.map((x, i) => [x.name, String(rowsOf[i]), withCi(x.value, [x.lo, x.hi])]) }),
      await figure('confusion', 'Confusion matrix: the count in each cell, coloured by its share of the true class (row).',
        heatmap('confusion matrix', cells, { row: 'true class', col: 'predicted class', value: 'share of the true class', rows: classes, cols: classes }),
        { header: ['true \\ predicted', ...classes], rows: counts.map((row, i) => [classes[i], ...row.map(String)]) }),
    ],
  };
}

/** Accuracy per interaction type (data with known types). */
async function typeFigure(r: EvalReport): Promise<Figure | undefined> {
  if (!r.per_type) return undefined;
  const all = typeList(Object.keys(r.per_type));
  const rows: ShareRow[] = all.filter((t) => r.per_type![t] !== null && r.per_type![t] !== undefined).map((t) => ({ name: t, value: r.per_type![t]!, lo: r.per_type_ci?.[t]?.[0] ?? Number.NaN, hi: r.per_type_ci?.[t]?.[1] ?? Number.NaN }));
  return figure('per-type', 'Accuracy on the samples of each interaction type (R redundant, Um unique to modality m, S synergistic), with 95% Wilson intervals.',
    barsWithIntervals('accuracy by interaction type', 'the samples\' true interaction type', `accuracy (fraction, ${r.split})`, rows, { yDomain: [0, 1], order: [...all] }),
    { header: ['type', 'accuracy [95% interval]'], rows: rows.map((x) => [x.name, withCi(x.value, [x.lo, x.hi])]) });
}

const gateCells = (byRow: Record<string, Record<string, number> | null>, comps: string[]) =>
  Object.entries(byRow).filter(([, g]) => g).flatMap(([row, g]) => comps.map((c) => ({ row, col: c, value: g![c], label: g![c].toFixed(2) })));

/** DMIL: the gate (by true type, or its distribution), component accuracies, evidence, the most synergistic samples. */
async function dmilSection(r: EvalReport, p: Predictions | undefined, scores: ScoreRow[] | undefined, noPredictions: string | undefined): Promise<Section | undefined> {
  if (!r.gate_mean) return undefined;
  const comps = Object.keys(r.gate_mean);
  const blocks: Block[] = [];
  const gateTable = (byRow: Record<string, Record<string, number> | null>, first: string): Table => ({ header: [first, ...comps.map((c) => `g_${c}`)], rows: Object.entries(byRow).filter(([, g]) => g).map(([k, g]) => [k, ...comps.map((c) => f3(g![c]))]), open: true });
  if (r.gate_by_type) {
    const byType = Object.fromEntries(Object.entries(r.gate_by_type).map(([t, g]) => [`${t} samples`, g]));
    blocks.push(await figure('gate-by-type', 'Mean gate weight on each component (columns) for the samples of each true interaction type (rows). A model that routes each kind of sample to its own component shows a bright diagonal.',
      heatmap('mean gate weight by true type', gateCells(byType, comps), { row: 'samples of type', col: 'component', value: 'mean gate weight', rows: Object.keys(byType), cols: comps }),
      gateTable(byType, 'samples')));
  } else if (scores) {
    const bins: Bin[] = comps.flatMap((c) => histogram(scores.map((s) => Number(s[`gate_${c}`])), 20, 0, 1).map((b) => ({ panel: `g_${c}`, ...b })));
    blocks.push(await figure('gate-distribution', 'Distribution of each gate weight over the samples (the data has no interaction types to group them by).',
      histograms('gate weights over samples', bins, 'gate weight (0 to 1)'),
      { header: ['gate', 'from', 'to', 'samples'], rows: bins.map((b) => [b.panel, b.lo.toFixed(2), b.hi.toFixed(2), String(b.count)]) }));
  }
  if (r.gate_by_group) {
    const groups = Object.keys(r.gate_by_group);
    blocks.push(await figure('gate-by-group', 'Mean gate weight on each component for the samples of each of your groups (data.group).',
      heatmap('mean gate weight by group', gateCells(r.gate_by_group, comps), { row: 'group', col: 'component', value: 'mean gate weight', rows: groups, cols: comps }),
      gateTable(r.gate_by_group, 'group')));
  }
  if (r.component_accuracy) {
    const rows: ShareRow[] = [['mixture', r.accuracy] as const, ...Object.entries(r.component_accuracy)].map(([name, a]) => {
      const ci = wilsonInterval(Math.round(a * r.samples), r.samples);
      return { name, value: a, lo: ci[0], hi: ci[1] };
    });
    blocks.push(await figure('component-accuracy', 'Accuracy of each component\'s own prediction and of the gated mixture, with 95% Wilson intervals.',
      barsWithIntervals('accuracy of each component', 'component', `accuracy (fraction, ${r.split})`, rows, { yDomain: [0, 1], order: rows.map((x) => x.name) }),
      { header: ['component', 'accuracy [95% interval]'], rows: rows.map((x) => [x.name, withCi(x.value, [x.lo, x.hi])]), open: true }));
  }
  if (p && scores) {
    blocks.push(await evidenceFigure(p, scores));
    blocks.push(synergyTable(p, scores, comps));
  } else if (noPredictions) {
    blocks.push(text(`<span class="note">Per-sample figures (evidence, the most synergistic samples) are not shown: ${esc(noPredictions)}.</span>`));
  }
  return { id: 'interactions', title: 'Interactions: gate, components and evidence', blocks };
}

/** Histograms of each part's evidence, stacked by true type where the data knows types. */
async function evidenceFigure(p: Predictions, scores: ScoreRow[]): Promise<Figure> {
  const parts = Object.keys(scores[0] ?? {}).filter((k) => k.startsWith('evidence_')).map((k) => k.slice('evidence_'.length));
  const bins: Bin[] = parts.flatMap((part) => {
    const values = scores.map((s) => Number(s[`evidence_${part}`]));
    const finite = values.filter(Number.isFinite);
    const [lo, hi] = [Math.min(...finite), Math.max(...finite)];
    const series = p.types ? typeList(p.types).filter((t) => p.types!.includes(t)) : [undefined];
    return series.flatMap((t) => histogram(values.filter((_, i) => t === undefined || p.types![i] === t), 24, lo, hi).map((b) => ({ panel: part, ...b, ...(t ? { series: t } : {}) })));
  });
  return figure('evidence', `Evidence of each part for the true label, log p(y|x) - log p_train(y) in nats (0: no better than the label prior), over the test samples${p.types ? ', stacked by true interaction type' : ''}.`,
    histograms('evidence per part', bins, 'evidence (nats)', p.types ? 'true type' : undefined),
    { header: ['part', ...(p.types ? ['type'] : []), 'from', 'to', 'samples'], rows: bins.map((b) => [b.panel, ...(p.types ? [b.series ?? ''] : []), b.lo.toFixed(2), b.hi.toFixed(2), String(b.count)]) });
}

/** The 20 samples with the highest evidence in the synergy component. */
function synergyTable(p: Predictions, scores: ScoreRow[], comps: string[]): Block {
  const top = [...scores].sort((a, b) => Number(b.evidence_S) - Number(a.evidence_S)).slice(0, 20);
  const header = ['id', 'label', 'prediction', ...(p.types ? ['true type'] : []), ...comps.map((c) => `g_${c}`), ...comps.map((c) => `evidence ${c}`)];
  const rows = top.map((s) => [String(s.id), String(s.label), String(s.prediction), ...(p.types ? [String(s.type)] : []), ...comps.map((c) => Number(s[`gate_${c}`]).toFixed(2)), ...comps.map((c) => Number(s[`evidence_${c}`]).toFixed(2))]);
  return tableBlock({ header, rows, open: true, caption: 'The 20 test samples with the highest evidence in the synergy component S (nats beyond the label prior), with their gate weights and every component\'s evidence.' });
}

/** Paradigms with unimodal predictors (the ensemble's members, DMIL's M heads): how often they agree, and the accuracy when they do and when they do not. */
async function membersSection(r: EvalReport, p: Predictions | undefined, noPredictions: string | undefined): Promise<Section | undefined> {
  if (!r.unimodal_accuracy) return undefined;
  const blocks: Block[] = [];
  const si = r.synergy_indicator;
  if (si !== null) {
    const ci = wilsonInterval(Math.round(si * r.samples), r.samples);
    blocks.push(text(`Synergy indicator: <b>${withCi(si, ci)}</b> (95% Wilson interval), the share of ${r.split} samples the model gets right while every one of its unimodal predictors (${r.paradigm === 'ensemble' ? 'the members' : 'its own per-modality heads'}) is wrong.`));
  }
  if (p?.unimodal) {
    const pred = argmaxRows(p.probs, p.classes);
    const members = Object.entries(p.unimodal).map(([m, u]) => [m, argmaxRows(u, p.classes)] as const);
    const agree = Array.from(p.labels, (_, i) => members.every(([, m]) => m[i] === members[0][1][i]));
    const rows: ShareRow[] = [];
    const table: string[][] = [];
    for (const [name, want] of [['predictors agree', true], ['predictors disagree', false]] as const) {
      const idx = agree.flatMap((a, i) => (a === want ? [i] : []));
      const hits = idx.filter((i) => pred[i] === p.labels[i]).length;
      const ci = wilsonInterval(hits, idx.length);
      rows.push({ name, value: idx.length ? hits / idx.length : Number.NaN, lo: ci[0], hi: ci[1] });
      table.push([name, `${idx.length} (${f3(idx.length / p.labels.length)})`, withCi(idx.length ? hits / idx.length : Number.NaN, ci)]);
    }
    for (const [m, a] of Object.entries(r.unimodal_accuracy)) {
      const ci = wilsonInterval(Math.round(a * r.samples), r.samples);
      rows.push({ name: `${m} alone`, value: a, lo: ci[0], hi: ci[1] });
      table.push([`${m} alone`, String(r.samples), withCi(a, ci)]);
    }
    blocks.push(await figure('member-agreement', `Accuracy of the model on the samples where its unimodal predictors${r.paradigm === 'ensemble' ? ' (the members)' : ''} predict the same class and where they do not, and of each predictor alone, with 95% Wilson intervals.`,
      barsWithIntervals('accuracy when the unimodal predictors agree or not', 'samples', `accuracy (fraction, ${r.split})`, rows, { yDomain: [0, 1], order: rows.map((x) => x.name) }),
      { header: ['samples', 'count (share)', 'accuracy [95% interval]'], rows: table, open: true }));
  } else if (noPredictions) {
    blocks.push(text(`<span class="note">Member agreement is not shown: ${esc(noPredictions)}.</span>`));
  }
  return { id: 'members', title: 'Unimodal predictors: agreement and synergy', blocks };
}

/** The test (or val) metrics with intervals, and what the run is. */
function summarySection(x: RunReportInput): Section {
  const m = x.meta;
  const rows: string[][] = [
    ['status', x.status + (m.stage && x.status !== 'done' ? ` (stage ${m.stage})` : '')],
    ['paradigm', m.paradigm], ['data', m.dataset + (x.dataInfo ? ` (${x.dataInfo.splitSizes.train} train / ${x.dataInfo.splitSizes.val} val / ${x.dataInfo.splitSizes.test} test samples, ${x.dataInfo.classNames.length} classes; modalities ${x.dataInfo.modalities.map((mo) => `${mo.name} [${mo.shape.join(', ')}]`).join(', ')})` : '')],
    ['seed', String(m.seed)], ['started', m.started], ['ended', m.ended ?? '-'],
    ['stages done (kept epoch)', m.stages_done.map((s) => `${s} (${m.selection?.[s]?.best_epoch ?? '-'})`).join(', ') || '-'],
  ];
  for (const split of ['test', 'val'] as const) {
    const r = x.evals[split];
    if (!r) continue;
    rows.push([`${split} accuracy [95% interval]`, withCi(r.accuracy, r.accuracy_ci)], [`${split} macro-F1 [95% interval]`, withCi(r.macro_f1, r.macro_f1_ci)]);
    if (split === 'test') {
      for (const t of typeList(Object.keys(r.per_type ?? {}))) if (r.per_type?.[t] !== undefined && r.per_type[t] !== null) rows.push([`test accuracy on ${t} samples`, withCi(r.per_type[t], r.per_type_ci?.[t])]);
      for (const [n, a] of Object.entries(r.n_probe_accuracy ?? {})) {
        const ceiling = r.n_probe_ceiling?.[n];
        rows.push([`label probe on ${n} (chance ${f3(r.n_probe_chance)}${ceiling !== undefined ? `; on ${n.replace(/^N_/, 'z_')} ${f3(ceiling)}` : ''})`, f3(a)]);
      }
    }
  }
  const blocks: Block[] = [];
  if (x.status !== 'done') blocks.push(text(`<span class="note">This run is ${esc(x.status)}${m.stage ? ` (stage ${esc(m.stage)})` : ''}: the report shows what exists so far.${m.error ? ` Its error: ${esc(m.error)}` : ''}</span>`));
  blocks.push(tableBlock({ header: ['', ''], rows, open: true, caption: x.evals.test ? x.evals.test.intervals : undefined }));
  return { id: 'summary', title: 'Summary', blocks };
}

/** Config, backend, versions and the data's fingerprint: what it takes to reproduce the run. */
function provenanceSection(x: RunReportInput): Section {
  const m = x.meta;
  const rows = [
    ['command', m.command.join(' ')],
    ['backend', `${m.backend.name} (${m.backend.source})${m.backend.overrides.length ? `; dmil kernels: ${m.backend.overrides.join(', ')}` : ''}`],
    ['versions', Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(', ')],
    ['git commit', `${m.git_commit ?? 'not a git checkout'}${m.git_dirty ? ' (with local changes: source.diff)' : ''}`],
    ...(m.resumed?.length ? [['resumed', m.resumed.join(', ')]] : []),
  ];
  const fp = x.dataInfo?.fingerprint;
  const blocks: Block[] = [tableBlock({ header: ['', ''], rows, open: true })];
  if (fp) {
    blocks.push(tableBlock({ header: ['config key', 'file', 'bytes', 'SHA-256'], rows: fp.files.map((f) => [f.key, f.path, String(f.size), f.sha256]), open: true, caption: `data fingerprint: SHA-256 of the samples as loaded ${fp.content}` }));
  }
  blocks.push(preBlock('config.yaml, the run\'s resolved config (every default written out):', x.configText));
  return { id: 'provenance', title: 'Config and provenance', blocks };
}

export async function buildRunReport(x: RunReportInput, now: Date): Promise<string> {
  const test = x.evals.test;
  const scores = x.predictions ? interactionScores(x.predictions) : undefined;
  const sections: Section[] = [summarySection(x), await trainingSection(x)];
  if (test) {
    const types = await typeFigure(test);
    const classes = await classSection(test);
    if (types) classes.blocks.unshift(types);
    sections.push(classes);
    const dmil = await dmilSection(test, x.predictions, scores, x.noPredictions);
    if (dmil) sections.push(dmil);
    const members = await membersSection(test, x.predictions, x.noPredictions);
    if (members) sections.push(members);
  }
  sections.push(provenanceSection(x));
  return page(`dmil report: run ${x.id}`, `${x.meta.paradigm} on ${x.meta.dataset}, seed ${x.meta.seed}; ${x.status}; written ${now.toISOString()}`, sections);
}
