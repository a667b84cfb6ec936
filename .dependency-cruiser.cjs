// The layers of src/, lowest first: a module may import from its own layer and the ones below,
// never from above (test/structure.test.ts runs this). The order is the data flow of
// docs/reference/layout.md: config -> data -> model -> paradigm -> training -> run folders ->
// analysis -> experiment -> pid, sweep -> compare -> report -> cli.
const LAYERS = [
  ['root', '^src/[^/]+\\.ts$'],
  ['config', '^src/config/'],
  ['data', '^src/data/'],
  ['backend', '^src/backend/'],
  ['models', '^src/models/'],
  ['paradigms', '^src/paradigms/'],
  ['train', '^src/train/'],
  ['runs', '^src/runs/'],
  ['analysis', '^src/analysis/'],
  ['experiment', '^src/experiment/'],
  ['pid', '^src/pid/'],
  ['sweep', '^src/sweep/'],
  ['compare', '^src/compare/'],
  ['report', '^src/report/'],
  ['cli', '^src/cli/'],
];
// pid and sweep are side by side: neither imports the other.
const SIDE_BY_SIDE = [['pid', 'sweep']];

const forbidden = [
  { name: 'no-circular', severity: 'error', comment: 'a cycle makes a layer depend on itself through another', from: { path: '^src/' }, to: { circular: true } },
];
LAYERS.forEach(([name, from], i) => {
  const above = LAYERS.slice(i + 1).filter(([other]) => !SIDE_BY_SIDE.some((pair) => pair.includes(name) && pair.includes(other)));
  const sideways = SIDE_BY_SIDE.filter((pair) => pair.includes(name)).map((pair) => pair.find((p) => p !== name));
  const targets = [...above.map(([, to]) => to), ...LAYERS.filter(([other]) => sideways.includes(other)).map(([, to]) => to)];
  if (targets.length) forbidden.push({ name: `${name}-imports-up`, severity: 'error', comment: `${name} may not import from a layer above it`, from: { path: from }, to: { path: `(${targets.join('|')})` } });
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
