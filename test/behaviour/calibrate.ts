// Runs the behaviour measurements over seeds, to choose behaviour.test.ts's thresholds from the
// worst seed with margin:  node dist/test/behaviour/calibrate.js [first] [last] [--mix3]
import { selectBackend } from '../../src/backend/select';
import { mix3Behaviour, mixBehaviour, xorBehaviour } from './measure';

async function main(): Promise<void> {
  await selectBackend('wasm');
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const [first, last] = [Number(args[0] ?? 1), Number(args[1] ?? 8)];
  for (let seed = first; seed <= last; seed++) {
    const t0 = Date.now();
    if (process.argv.includes('--mix3')) {
      process.stdout.write(`${JSON.stringify({ seed, mix3: await mix3Behaviour(seed), seconds: (Date.now() - t0) / 1000 })}\n`);
      continue;
    }
    const xor = await xorBehaviour(seed);
    const mix = await mixBehaviour(seed);
    process.stdout.write(`${JSON.stringify({ seed, seconds: (Date.now() - t0) / 1000, xor, mix })}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});
