;; Loops for dmil's wasm kernels, run directly on TensorFlow.js's wasm heap (the module imports
;; tfjs's memory): the im2col matrix of the filter gradient, the scatter of the input gradient's
;; stride phases, and column sums (bias gradients) without tfjs's transpose. The same loops in JavaScript cost about 1.2 ns a
;; value; here they are plain loads and stores. Pointers are byte offsets into the heap.
;; scripts/build-wasm.js assembles this file twice (wabt): for the single-threaded heap, and with
;; the memory import marked `shared` (with a maximum, as shared memory needs) for the threaded
;; build's SharedArrayBuffer heap.
(module
  (import "env" "memory" (memory MEMORY_LIMITS))

  ;; colsT[(t*C + ch)*M + (b*OH + oy)*OW + ox] = x[b, oy*sh - top + i, ox*sw - left + j, ch]
  ;; for tap t = i*KW + j, M = N*OH*OW, and 0 where the window hangs over the padding. `ranges`
  ;; holds, per tap, four i32: the output rows [y0, y1) and columns [x0, x1) that read inside x.
  ;; One sample at a time, so that its input stays in cache while every row reads from it.
  (func (export "im2col_t")
    (param $x i32) (param $out i32) (param $ranges i32)
    (param $n i32) (param $h i32) (param $w i32) (param $c i32) (param $oh i32) (param $ow i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $top i32) (param $left i32)
    (local $m i32) (local $plane i32) (local $taps i32) (local $colStep i32)
    (local $b i32) (local $t i32) (local $i i32) (local $j i32) (local $r i32)
    (local $y0 i32) (local $y1 i32) (local $x0 i32) (local $x1 i32) (local $partial i32)
    (local $ch i32) (local $seg i32) (local $oy i32) (local $ox i32) (local $src i32) (local $dst i32)
    (local.set $plane (i32.mul (local.get $oh) (local.get $ow)))
    (local.set $m (i32.mul (local.get $n) (local.get $plane)))
    (local.set $taps (i32.mul (local.get $kh) (local.get $kw)))
    (local.set $colStep (i32.shl (i32.mul (local.get $sw) (local.get $c)) (i32.const 2)))
    (local.set $b (i32.const 0))
    (block $samplesDone
      (loop $samples
        (br_if $samplesDone (i32.ge_u (local.get $b) (local.get $n)))
        (local.set $t (i32.const 0))
        (block $tapsDone
          (loop $tapsLoop
            (br_if $tapsDone (i32.ge_u (local.get $t) (local.get $taps)))
            (local.set $r (i32.add (local.get $ranges) (i32.shl (local.get $t) (i32.const 4))))
            (local.set $y0 (i32.load (local.get $r)))
            (local.set $y1 (i32.load offset=4 (local.get $r)))
            (local.set $x0 (i32.load offset=8 (local.get $r)))
            (local.set $x1 (i32.load offset=12 (local.get $r)))
            (local.set $partial
              (i32.or
                (i32.or (i32.gt_s (local.get $y0) (i32.const 0)) (i32.lt_s (local.get $y1) (local.get $oh)))
                (i32.or (i32.gt_s (local.get $x0) (i32.const 0)) (i32.lt_s (local.get $x1) (local.get $ow)))))
            (local.set $i (i32.div_u (local.get $t) (local.get $kw)))
            (local.set $j (i32.rem_u (local.get $t) (local.get $kw)))
            (local.set $ch (i32.const 0))
            (block $channelsDone
              (loop $channels
                (br_if $channelsDone (i32.ge_u (local.get $ch) (local.get $c)))
                (local.set $seg
                  (i32.add (local.get $out)
                    (i32.shl
                      (i32.add
                        (i32.mul (i32.add (i32.mul (local.get $t) (local.get $c)) (local.get $ch)) (local.get $m))
                        (i32.mul (local.get $b) (local.get $plane)))
                      (i32.const 2))))
                (if (local.get $partial)
                  (then (memory.fill (local.get $seg) (i32.const 0) (i32.shl (local.get $plane) (i32.const 2)))))
                (local.set $oy (local.get $y0))
                (block $rowsDone
                  (loop $rows
                    (br_if $rowsDone (i32.ge_s (local.get $oy) (local.get $y1)))
                    ;; x[b, oy*sh - top + i, x0*sw - left + j, ch]
                    (local.set $src
                      (i32.add (local.get $x)
                        (i32.shl
                          (i32.add
                            (i32.mul
                              (i32.add
                                (i32.mul
                                  (i32.add
                                    (i32.mul (local.get $b) (local.get $h))
                                    (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $sh)) (local.get $top)) (local.get $i)))
                                  (local.get $w))
                                (i32.add (i32.sub (i32.mul (local.get $x0) (local.get $sw)) (local.get $left)) (local.get $j)))
                              (local.get $c))
                            (local.get $ch))
                          (i32.const 2))))
                    (local.set $dst
                      (i32.add (local.get $seg)
                        (i32.shl (i32.add (i32.mul (local.get $oy) (local.get $ow)) (local.get $x0)) (i32.const 2))))
                    (local.set $ox (local.get $x0))
                    (block $colsDone
                      (loop $cols
                        (br_if $colsDone (i32.ge_s (local.get $ox) (local.get $x1)))
                        (f32.store (local.get $dst) (f32.load (local.get $src)))
                        (local.set $src (i32.add (local.get $src) (local.get $colStep)))
                        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                        (br $cols)))
                    (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
                    (br $rows)))
                (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
                (br $channels)))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $tapsLoop)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $samples))))

  ;; dx[b, (qMinY + a)*sy + ry - top, (qMinX + e)*sx + rx - left, :] = out[b, a, e, :] for the
  ;; phase's output out [N, countY, countX, C]: each output pixel's C values land on one input
  ;; pixel of dx [N, H, W, C].
  (func (export "scatter_phase")
    (param $out i32) (param $dx i32)
    (param $n i32) (param $h i32) (param $w i32) (param $c i32)
    (param $countY i32) (param $countX i32) (param $firstY i32) (param $firstX i32)
    (param $sy i32) (param $sx i32)
    (local $b i32) (local $a i32) (local $e i32) (local $k i32) (local $src i32) (local $dst i32)
    (local $pixel i32) (local $step i32)
    ;; firstY / firstX: the dx row and column of the phase's first output, (qMin*s + r - pad).
    (local.set $pixel (i32.shl (local.get $c) (i32.const 2)))
    (local.set $step (i32.mul (local.get $pixel) (local.get $sx)))
    (local.set $src (local.get $out))
    (local.set $b (i32.const 0))
    (block $samplesDone
      (loop $samples
        (br_if $samplesDone (i32.ge_u (local.get $b) (local.get $n)))
        (local.set $a (i32.const 0))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_u (local.get $a) (local.get $countY)))
            (local.set $dst
              (i32.add (local.get $dx)
                (i32.mul
                  (i32.add
                    (i32.mul
                      (i32.add (i32.mul (local.get $b) (local.get $h))
                        (i32.add (i32.mul (local.get $a) (local.get $sy)) (local.get $firstY)))
                      (local.get $w))
                    (local.get $firstX))
                  (local.get $pixel))))
            (local.set $e (i32.const 0))
            (block $colsDone
              (loop $cols
                (br_if $colsDone (i32.ge_u (local.get $e) (local.get $countX)))
                (local.set $k (i32.const 0))
                (block $valuesDone
                  (loop $values
                    (br_if $valuesDone (i32.ge_u (local.get $k) (local.get $pixel)))
                    (f32.store (i32.add (local.get $dst) (local.get $k)) (f32.load (i32.add (local.get $src) (local.get $k))))
                    (local.set $k (i32.add (local.get $k) (i32.const 4)))
                    (br $values)))
                (local.set $src (i32.add (local.get $src) (local.get $pixel)))
                (local.set $dst (i32.add (local.get $dst) (local.get $step)))
                (local.set $e (i32.add (local.get $e) (i32.const 1)))
                (br $cols)))
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (br $rows)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $samples))))

  ;; out[c] = the sum over r of x[r*cols + c] for x [rows, cols]: a reduction over all but the last
  ;; axes (a bias gradient). Accumulated in float32 in row order, the order tfjs's own Sum adds in
  ;; after transposing the reduced axes innermost, so the results are the same to the bit; four
  ;; columns at a time with SIMD, one row after another, so x is read once, in order.
  (func (export "column_sums")
    (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $k i32) (local $rowBytes i32) (local $vecBytes i32) (local $src i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    ;; the bytes of the columns that fill whole vectors of four
    (local.set $vecBytes (i32.and (local.get $rowBytes) (i32.const -16)))
    (memory.fill (local.get $out) (i32.const 0) (local.get $rowBytes))
    (local.set $src (local.get $x))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $rowsLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $k (i32.const 0))
        (block $vecDone
          (loop $vec
            (br_if $vecDone (i32.ge_u (local.get $k) (local.get $vecBytes)))
            (v128.store (i32.add (local.get $out) (local.get $k))
              (f32x4.add (v128.load (i32.add (local.get $out) (local.get $k)))
                         (v128.load (i32.add (local.get $src) (local.get $k)))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $vec)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $k) (local.get $rowBytes)))
            (f32.store (i32.add (local.get $out) (local.get $k))
              (f32.add (f32.load (i32.add (local.get $out) (local.get $k)))
                       (f32.load (i32.add (local.get $src) (local.get $k)))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $tail)))
        (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowsLoop))))
)
