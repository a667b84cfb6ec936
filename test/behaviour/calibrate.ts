// Runs the behaviour measurements over seeds, to choose behaviour.test.ts's thresholds from the
// worst seed with margin:  node dist/test/behaviour/calibrate.js [first] [last]
import { selectBackend } from '../../src/backend/select';
import { mixBehaviour, xorBehaviour } from './measure';

async function main(): Promise<void> {
  await selectBackend('wasm');
  const [first, last] = [Number(process.argv[2] ?? 1), Number(process.argv[3] ?? 8)];
  for (let seed = first; seed <= last; seed++) {
    const t0 = Date.now();
    const xor = await xorBehaviour(seed);
    const mix = await mixBehaviour(seed);
    process.stdout.write(`${JSON.stringify({ seed, seconds: (Date.now() - t0) / 1000, xor, mix })}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});
