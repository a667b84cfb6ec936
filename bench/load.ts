// One data load, in a process of its own so that its peak memory is its own: prints JSON with
// the seconds taken and the peak resident set size. Used by bench/run.ts.
import { configFromObject } from '../src/config/load';
import { prepareForTraining } from '../src/experiment/data';

async function main(): Promise<void> {
  const config = configFromObject(JSON.parse(process.argv[2])).config;
  const baseline = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  const { data } = await prepareForTraining(config);
  const seconds = (performance.now() - t0) / 1000;
  const features = data.modalities.reduce((s, m) => s + m.values.length / data.labels.length, 0);
  process.stdout.write(`${JSON.stringify({ seconds, samples: data.labels.length, features, peakRssMiB: process.resourceUsage().maxRSS / 1024, baselineRssMiB: baseline / 1024 })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
