// Partial information decomposition of a discrete joint p(x1, x2, y) (Bertschinger, Rauh, Olbrich,
// Jost, Ay, "Quantifying unique information", Entropy 2014), in bits. Among the distributions q
// with q(x1, y) = p(x1, y) and q(x2, y) = p(x2, y) (the set Delta), q* minimises I_q(X1, X2; Y)
// (equivalently maximises H_q(Y | X1, X2)). Then
//   U1 = I_q*(X1, X2; Y) - I(X2; Y)     U2 = I_q*(X1, X2; Y) - I(X1; Y)
//   R  = I(X1; Y) + I(X2; Y) - I_q*(X1, X2; Y)     S = I_p(X1, X2; Y) - I_q*(X1, X2; Y)
// q* is found by alternating minimisation (Csiszar and Tusnady 1984) of the jointly convex
//   D(q || r(x1, x2) p(y)) over q in Delta and r any distribution on (x1, x2):
// for fixed r the best q is the I-projection of r(x1, x2) p(y) onto Delta, which for each y is the
// Sinkhorn scaling of the matrix r(., .) to the row sums p(x1, y) and column sums p(x2, y); for
// fixed q the best r is q(x1, x2); at the optimum the objective is min_q I_q(X1, X2; Y). Each step
// lowers the objective; the loop stops when it falls by less than `tolerance` bits.

/** A joint distribution over (x1, x2, y), flat: index (a * k2 + b) * C + y. */
export interface Joint {
  p: Float64Array;
  k1: number;
  k2: number;
  classes: number;
}

export interface Pid {
  R: number;
  U1: number;
  U2: number;
  S: number;
  /** H(Y), I(X1; Y), I(X2; Y) and I(X1, X2; Y) of the data, in bits. */
  H_Y: number;
  I_X1_Y: number;
  I_X2_Y: number;
  I_X1X2_Y: number;
}

export interface ExactPid extends Pid {
  /** min over Delta of I_q(X1, X2; Y). */
  I_q: number;
  iterations: number;
  converged: boolean;
}

const LOG2 = Math.log(2);
const xlogx = (x: number) => (x > 0 ? x * Math.log(x) : 0);

/** The joint of the counts of (a, b, y) triples, normalised. */
export function jointFromSamples(x1: ArrayLike<number>, x2: ArrayLike<number>, y: ArrayLike<number>, k1: number, k2: number, classes: number, weights?: ArrayLike<number>): Joint {
  const p = new Float64Array(k1 * k2 * classes);
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weights ? weights[i] : 1;
    p[(x1[i] * k2 + x2[i]) * classes + y[i]] += w;
    total += w;
  }
  for (let i = 0; i < p.length; i++) p[i] /= total;
  return { p, k1, k2, classes };
}

/** Marginals p(x1, y) [k1 * C], p(x2, y) [k2 * C], p(y) [C]. */
function marginals(j: Joint): { p1y: Float64Array; p2y: Float64Array; py: Float64Array } {
  const { p, k1, k2, classes: C } = j;
  const p1y = new Float64Array(k1 * C);
  const p2y = new Float64Array(k2 * C);
  const py = new Float64Array(C);
  for (let a = 0; a < k1; a++) {
    for (let b = 0; b < k2; b++) {
      for (let y = 0; y < C; y++) {
        const v = p[(a * k2 + b) * C + y];
        p1y[a * C + y] += v;
        p2y[b * C + y] += v;
        py[y] += v;
      }
    }
  }
  return { p1y, p2y, py };
}

/** I(X; Y) in bits from p(x, y) laid out [k * C]. */
export function mutualInformation(pxy: Float64Array, k: number, classes: number): number {
  const px = new Float64Array(k);
  const py = new Float64Array(classes);
  for (let x = 0; x < k; x++) for (let y = 0; y < classes; y++) {
    px[x] += pxy[x * classes + y];
    py[y] += pxy[x * classes + y];
  }
  let h = 0;
  for (let i = 0; i < pxy.length; i++) h += xlogx(pxy[i]);
  for (const v of px) h -= xlogx(v);
  for (const v of py) h -= xlogx(v);
  return Math.max(0, h / LOG2);
}

/** I(X1, X2; Y) in bits of a joint. */
export function jointInformation(j: Joint): number {
  return mutualInformation(j.p, j.k1 * j.k2, j.classes);
}

/**
 * For one y: scales m[a][b] (k1 x k2, in place) to row sums rows[a] and column sums cols[b]
 * (Sinkhorn-Knopp). Returns the largest marginal error left.
 */
function sinkhorn(m: Float64Array, k1: number, k2: number, rows: Float64Array, cols: Float64Array, iterations: number): number {
  const rs = new Float64Array(k1);
  const cs = new Float64Array(k2);
  let err = Infinity;
  for (let it = 0; it < iterations && err > 1e-13; it++) {
    rs.fill(0);
    for (let a = 0; a < k1; a++) for (let b = 0; b < k2; b++) rs[a] += m[a * k2 + b];
    for (let a = 0; a < k1; a++) {
      const f = rs[a] > 0 ? rows[a] / rs[a] : 0;
      for (let b = 0; b < k2; b++) m[a * k2 + b] *= f;
    }
    cs.fill(0);
    for (let a = 0; a < k1; a++) for (let b = 0; b < k2; b++) cs[b] += m[a * k2 + b];
    err = 0;
    for (let b = 0; b < k2; b++) {
      const f = cs[b] > 0 ? cols[b] / cs[b] : 0;
      for (let a = 0; a < k1; a++) m[a * k2 + b] *= f;
    }
    rs.fill(0);
    for (let a = 0; a < k1; a++) for (let b = 0; b < k2; b++) rs[a] += m[a * k2 + b];
    for (let a = 0; a < k1; a++) err = Math.max(err, Math.abs(rs[a] - rows[a]));
  }
  return err;
}

export interface ExactOptions {
  /** Stop when an iteration lowers min I_q by less than this many bits. */
  tolerance?: number;
  maxIterations?: number;
}

/** q* of Delta, as a joint, and I_q*(X1, X2; Y). */
export function minimiseJointInformation(j: Joint, opts: ExactOptions = {}): { q: Joint; I_q: number; iterations: number; converged: boolean } {
  const tolerance = opts.tolerance ?? 1e-7;
  const maxIterations = opts.maxIterations ?? 20000;
  const { k1, k2, classes: C } = j;
  const { p1y, p2y, py } = marginals(j);
  const p1 = new Float64Array(k1);
  const p2 = new Float64Array(k2);
  for (let a = 0; a < k1; a++) for (let y = 0; y < C; y++) p1[a] += p1y[a * C + y];
  for (let b = 0; b < k2; b++) for (let y = 0; y < C; y++) p2[b] += p2y[b * C + y];
  // r starts as p(x1) p(x2): positive wherever a q in Delta can be.
  const r = new Float64Array(k1 * k2);
  for (let a = 0; a < k1; a++) for (let b = 0; b < k2; b++) r[a * k2 + b] = p1[a] * p2[b];
  const q = new Float64Array(k1 * k2 * C);
  const m = new Float64Array(k1 * k2);
  const rows = new Float64Array(k1);
  const cols = new Float64Array(k2);
  let previous = Infinity;
  let value = Infinity;
  let it = 0;
  let converged = false;
  for (; it < maxIterations; it++) {
    for (let y = 0; y < C; y++) {
      for (let a = 0; a < k1; a++) rows[a] = p1y[a * C + y];
      for (let b = 0; b < k2; b++) cols[b] = p2y[b * C + y];
      m.set(r);
      if (py[y] > 0) sinkhorn(m, k1, k2, rows, cols, 2000);
      else m.fill(0);
      for (let i = 0; i < k1 * k2; i++) q[i * C + y] = m[i];
    }
    r.fill(0);
    for (let i = 0; i < k1 * k2; i++) for (let y = 0; y < C; y++) r[i] += q[i * C + y];
    value = jointInformation({ p: q, k1, k2, classes: C });
    if (previous - value < tolerance) {
      converged = true;
      it++;
      break;
    }
    previous = value;
  }
  return { q: { p: q, k1, k2, classes: C }, I_q: value, iterations: it, converged };
}

/** PID of a discrete joint, in bits. */
export function pidExact(j: Joint, opts: ExactOptions = {}): ExactPid {
  const { p1y, p2y, py } = marginals(j);
  const I1 = mutualInformation(p1y, j.k1, j.classes);
  const I2 = mutualInformation(p2y, j.k2, j.classes);
  const I12 = jointInformation(j);
  const min = minimiseJointInformation(j, opts);
  // Clamp the last bits of solver tolerance: I_q* lies in [max(I1, I2), I12] in theory.
  const Iq = Math.min(I12, Math.max(min.I_q, I1, I2));
  let H = 0;
  for (const v of py) H -= xlogx(v);
  return {
    R: I1 + I2 - Iq,
    U1: Iq - I2,
    U2: Iq - I1,
    S: I12 - Iq,
    H_Y: H / LOG2,
    I_X1_Y: I1,
    I_X2_Y: I2,
    I_X1X2_Y: I12,
    I_q: min.I_q,
    iterations: min.iterations,
    converged: min.converged,
  };
}
