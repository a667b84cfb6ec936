// The shape of src/: layers imported one way only (dependency-cruiser with .dependency-cruiser.cjs),
// nothing written twice (jscpd), no file over 300 lines and no function over 60.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { repoRoot } from './helpers';

const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 60;

const sources = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
  const p = path.join(dir, e.name);
  return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
});

test('src/ imports only downwards through its layers, with no cycles (dependency-cruiser)', () => {
  const bin = path.join(repoRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const r = spawnSync(process.execPath, [bin, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(r.status, 0, `layer violations:\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /no dependency violations found \(\d+ modules/);
});

test('nothing in src/ is written twice (jscpd, its default thresholds)', () => {
  const bin = path.join(repoRoot, 'node_modules', 'jscpd', 'bin', 'jscpd');
  const r = spawnSync(process.execPath, [bin, 'src', '--reporters', 'console', '--exitCode', '3', '--silent'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(r.status, 0, `clones found:\n${r.stdout}`);
  assert.match(r.stdout, /Found \S*0\S* exact clones/);
});

test(`no file in src/ over ${MAX_FILE_LINES} lines and no function over ${MAX_FUNCTION_LINES}`, () => {
  const tooLong: string[] = [];
  for (const file of sources(path.join(repoRoot, 'src'))) {
    const text = fs.readFileSync(file, 'utf8');
    const rel = path.relative(repoRoot, file);
    const lines = text.split('\n').length;
    if (lines > MAX_FILE_LINES) tooLong.push(`${rel}: ${lines} lines`);
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const [from, to] = [node.getStart(), node.getEnd()].map((p) => sf.getLineAndCharacterOfPosition(p).line);
        if (to - from + 1 > MAX_FUNCTION_LINES) tooLong.push(`${rel}:${from + 1}: a function of ${to - from + 1} lines`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  assert.deepEqual(tooLong, []);
});
