// The interval arithmetic of src/analysis/intervals.ts against closed forms, to 1e-10: the
// regularised incomplete beta function where it has one, Student's t for 1 and 2 degrees of
// freedom (Cauchy, and t = (2p - 1) / sqrt(2p(1 - p))), the paired-t interval by hand, and the
// quantile interpolation. (compare.test.ts checks t quantiles against published tables.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapInterval, bootstrapIntervals, bootstrapIntervalsAsync, incompleteBeta, pairedDifference, quantile, studentTCdf, studentTQuantile, t975, Z95 } from '../src/analysis/intervals';
import { Rng } from '../src/rng';

const close = (got: number, want: number, what: string, tol = 1e-10) =>
  assert.ok(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), `${what}: ${got} against ${want}`);

test('incomplete beta: I_x(a, 1) = x^a, I_x(1, b) = 1 - (1 - x)^b, I_x(1/2, 1/2) = (2/pi) asin(sqrt x), on both sides of the switch point', () => {
  for (const x of [0.001, 0.05, 0.2, 0.37, 0.5, 0.63, 0.8, 0.95, 0.999]) {
    for (const a of [0.5, 1, 2, 3.5, 7, 30]) close(incompleteBeta(x, a, 1), x ** a, `I_${x}(${a}, 1)`);
    for (const b of [0.5, 1, 2, 3.5, 7, 30]) close(incompleteBeta(x, 1, b), 1 - (1 - x) ** b, `I_${x}(1, ${b})`);
    close(incompleteBeta(x, 0.5, 0.5), (2 / Math.PI) * Math.asin(Math.sqrt(x)), `I_${x}(1/2, 1/2)`);
  }
});

test('incomplete beta: symmetry I_x(a, b) = 1 - I_{1-x}(b, a), I_{1/2}(a, a) = 1/2, and 0 and 1 at the ends', () => {
  for (const [a, b] of [[2, 5], [0.7, 3.2], [12, 4], [40, 60]]) {
    for (const x of [0.1, 0.3, 0.6, 0.9]) close(incompleteBeta(x, a, b), 1 - incompleteBeta(1 - x, b, a), `symmetry at ${x}, ${a}, ${b}`);
  }
  for (const a of [0.5, 3, 25, 200]) close(incompleteBeta(0.5, a, a), 0.5, `I_0.5(${a}, ${a})`);
  // A polynomial case: I_x(2, 3) = 6x^2 - 8x^3 + 3x^4.
  for (const x of [0.15, 0.45, 0.75]) close(incompleteBeta(x, 2, 3), 6 * x ** 2 - 8 * x ** 3 + 3 * x ** 4, `I_${x}(2, 3)`);
  assert.deepEqual([incompleteBeta(0, 2, 3), incompleteBeta(-1, 2, 3), incompleteBeta(1, 2, 3), incompleteBeta(2, 2, 3)], [0, 0, 1, 1]);
});

test('Student\'s t with 1 and 2 degrees of freedom: CDF and quantiles against their closed forms', () => {
  for (const t of [-30, -3, -1, -0.2, 0, 0.2, 1, 3, 30]) {
    close(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, `Cauchy CDF at ${t}`);
    close(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), `t(2) CDF at ${t}`);
  }
  for (const p of [0.6, 0.9, 0.975, 0.995, 0.9995]) {
    close(studentTQuantile(p, 1), Math.tan(Math.PI * (p - 0.5)), `Cauchy quantile ${p}`, 1e-9);
    close(studentTQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)), `t(2) quantile ${p}`, 1e-9);
  }
  assert.equal(t975(Number.POSITIVE_INFINITY), Z95);
  assert.ok(Number.isNaN(studentTQuantile(0.99, Number.POSITIVE_INFINITY)), 'only the 97.5% quantile of the normal is kept');
});

test('paired difference: mean and t-interval by hand, at 95% and at another level; NaN pairs dropped; fewer than two pairs give NaN ends', () => {
  const a = [0.9, 0.8, 0.85, 0.7];
  const b = [0.85, 0.8, 0.8, 0.72];
  const d = [0.05, 0, 0.05, -0.02];
  const mean = d.reduce((s, v) => s + v, 0) / 4;
  const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / 3);
  const r = pairedDifference(a, b);
  assert.equal(r.n, 4);
  close(r.mean, mean, 'mean');
  close(r.ci[0], mean - 3.182446305284263 * sd / 2, 'lower end (t 97.5%, 3 df)', 1e-9);
  close(r.ci[1], mean + 3.182446305284263 * sd / 2, 'upper end', 1e-9);
  const r99 = pairedDifference(a, b, 0.99);
  close(r99.ci[1], mean + 5.840909309733349 * sd / 2, 'upper end at 99% (t 99.5%, 3 df)', 1e-9);
  assert.equal(pairedDifference([0.9, Number.NaN, 0.7], [0.8, 0.5, 0.6]).n, 2);
  const one = pairedDifference([0.9], [0.8]);
  assert.equal(one.n, 1);
  close(one.mean, 0.1, 'one pair');
  assert.ok(Number.isNaN(one.ci[0]) && Number.isNaN(one.ci[1]));
  assert.ok(Number.isNaN(pairedDifference([], []).mean));
});

test('quantile interpolates linearly between order statistics (numpy\'s default)', () => {
  const xs = [1, 2, 4, 8];
  assert.equal(quantile(xs, 0), 1);
  assert.equal(quantile(xs, 1), 8);
  close(quantile(xs, 0.5), 3, 'median');
  close(quantile(xs, 0.25), 1.75, '25%');
  close(quantile(xs, 0.9), 6.8, '90%');
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test('bootstrap: each resample is n seeded draws from Rng.derive(seed, "bootstrap"); exactly `resamples` of them; intervals the 2.5 and 97.5 percentiles', () => {
  const seen: number[][] = [];
  const values = [3, 1, 4, 1, 5, 9, 2, 6];
  const out = bootstrapIntervals(values.length, (idx) => {
    seen.push(Array.from(idx));
    return { mean: Array.from(idx, (i) => values[i]).reduce((a, b) => a + b, 0) / idx.length };
  }, 40, 7);
  assert.equal(seen.length, 40);
  const rng = Rng.derive(7, 'bootstrap');
  const expected = Array.from({ length: 40 }, () => Array.from({ length: values.length }, () => rng.int(values.length)));
  assert.deepEqual(seen, expected);
  const means = expected.map((idx) => idx.reduce((a, i) => a + values[i], 0) / idx.length).sort((a, b) => a - b);
  assert.deepEqual(Object.keys(out), ['mean']);
  assert.deepEqual(out.mean, [quantile(means, 0.025), quantile(means, 0.975)]);
});

test('bootstrap: NaN resamples are dropped per statistic; a statistic NaN on every resample has no interval; no samples, no intervals', () => {
  let call = 0;
  const out = bootstrapIntervals(5, () => ({ a: call++ % 2 ? Number.NaN : 1, b: Number.NaN }), 10, 1);
  assert.deepEqual(out, { a: [1, 1] });
  assert.deepEqual(bootstrapInterval(5, () => Number.NaN, 10, 1), [Number.NaN, Number.NaN]);
  assert.deepEqual(bootstrapIntervals(0, () => ({ v: 1 }), 10, 1), {});
});

test('bootstrapIntervalsAsync draws the same resamples and gives the same intervals as bootstrapIntervals', async () => {
  const stat = (idx: Int32Array) => ({ s: idx.reduce((a, i) => a + i * i, 0), t: idx[0] });
  assert.deepEqual(await bootstrapIntervalsAsync(12, async (idx) => stat(idx), 60, 3), bootstrapIntervals(12, stat, 60, 3));
  assert.deepEqual(await bootstrapIntervalsAsync(0, async () => ({ v: 1 }), 10, 1), {});
});
