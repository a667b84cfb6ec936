const path='/work/main/dist/src/backend/select.js';
const { selectBackend } = require(path);
const tf = require('@tensorflow/tfjs-core');
(async () => {
  const threads = Number(process.env.T || 1);
  await selectBackend('wasm', { threads });
  const layers = [ [128,14,28,1,16,1], [128,14,28,16,32,2], [128,7,14,32,64,2] ];
  for (const [n,h,w,c,co,s] of layers) {
    const x = tf.randomNormal([n,h,w,c]); const f = tf.randomNormal([3,3,c,co]);
    const y = tf.conv2d(x, f, s, 'same'); const dy = tf.randomNormal(y.shape);
    const [oh, ow] = [y.shape[1], y.shape[2]];
    const ref = () => tf.engine().runKernel('Conv2DBackpropFilter', {x, dy}, {strides:[s,s], pad:'same', dataFormat:'NHWC', filterShape:[3,3,c,co]});
    const info = tf.backend_util.computeConv2DInfo(x.shape, [3,3,c,co], s, 1, 'same');
    const top = info.padInfo.top, left = info.padInfo.left;
    const pb = 3 + (oh-1)*s - h - top, pr = 3 + (ow-1)*s - w - left;
    const trick = () => tf.tidy(() => {
      const xt = tf.transpose(x, [3,1,2,0]); // [C,H,W,N]
      const dyt = tf.transpose(dy, [1,2,0,3]); // [OH,OW,N,Co]
      const g = tf.conv2d(xt, dyt, 1, [[0,0],[top,pb],[left,pr],[0,0]], 'NHWC', [s,s]); // [C,KH,KW,Co]
      return tf.transpose(g, [1,2,0,3]);
    });
    const a = ref(), b = trick();
    const err = tf.max(tf.abs(tf.sub(a,b))).dataSync()[0], sc = tf.max(tf.abs(a)).dataSync()[0];
    const time = (fn) => { for (let i=0;i<3;i++) tf.dispose(fn()); const t0=performance.now(); const R=20; for (let i=0;i<R;i++) tf.dispose(fn()); return (performance.now()-t0)/R; };
    const fwd = () => tf.conv2d(x, f, s, 'same');
    const inp = () => tf.engine().runKernel('Conv2DBackpropInput', {dy, filter: f}, {strides:[s,s], pad:'same', dataFormat:'NHWC', inputShape:x.shape});
    const macs = n*oh*ow*co*9*c/1e6;
    const [tr, tt, tf_, ti] = [time(ref), time(trick), time(fwd), time(inp)];
    console.log(`layer ${[n,h,w,c,co,s]}: MMAC ${macs.toFixed(0)} err ${(err/sc).toExponential(1)} | im2col ${tr.toFixed(2)} ms (${(macs/tr).toFixed(1)} GMAC/s) conv-trick ${tt.toFixed(2)} ms (${(macs/tt).toFixed(1)}) fwd ${tf_.toFixed(2)} (${(macs/tf_).toFixed(1)}) input-grad ${ti.toFixed(2)} (${(macs/ti).toFixed(1)})`);
  }
})();
