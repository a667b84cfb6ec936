// Writes a config's data as dmil trains on it (standardised with the training split's
// statistics, the same split) to .npy files, so that the same network can be trained in another
// framework on exactly the same samples (bench/reference/torch_reference.py).
//   node dist/bench/reference/export.js CONFIG OUTDIR [--set key=value ...]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readConfigFile } from '../../src/config/load';
import { prepareForTraining } from '../../src/experiment/data';
import { writeNpy } from '../../src/data/npyWrite';

async function main(): Promise<void> {
  const [configFile, outDir, ...rest] = process.argv.slice(2);
  if (!configFile || !outDir) throw new Error('usage: export.js CONFIG OUTDIR [--set key=value ...]');
  const sets = rest.flatMap((a, i) => (rest[i - 1] === '--set' ? [a] : []));
  const { config } = readConfigFile(configFile, sets);
  const { data } = await prepareForTraining(config);
  fs.mkdirSync(outDir, { recursive: true });
  const n = data.labels.length;
  data.modalities.forEach((m, i) => writeNpy(path.join(outDir, `x${i}.npy`), m.values, [n, m.values.length / n]));
  writeNpy(path.join(outDir, 'y.npy'), Int32Array.from(data.labels), [n]);
  writeNpy(path.join(outDir, 'split.npy'), Int32Array.from(data.split), [n]);
  if (data.types) fs.writeFileSync(path.join(outDir, 'types.txt'), `${data.types.join('\n')}\n`);
  fs.writeFileSync(path.join(outDir, 'config.json'), JSON.stringify(config, null, 1));
  process.stdout.write(`${n} samples, ${data.modalities.length} modalities -> ${outDir}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 1;
});
