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

test('no synchronous device read in src/ (dataSync, arraySync, bufferSync): WebGPU under Node cannot do them', () => {
  const found = sources(path.join(repoRoot, 'src')).flatMap((file) => fs.readFileSync(file, 'utf8').split('\n')
    .map((line, i) => (/\b(dataSync|arraySync|bufferSync)\s*\(/.test(line) ? `${path.relative(repoRoot, file)}:${i + 1}: ${line.trim()}` : ''))
    .filter(Boolean));
  assert.deepEqual(found, [], 'read with await t.data() / t.array() instead (test/integration/syncReads.test.ts runs every command on a backend that refuses them)');
});

test('every installed dependency with an install script is listed in package.json allowScripts (npm 12 runs only those)', () => {
  const allow = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> }).allowScripts;
  const withScripts: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir)) {
      if (e.startsWith('.')) continue;
      const p = path.join(dir, e);
      if (e.startsWith('@')) { walk(p); continue; }
      const manifest = path.join(p, 'package.json');
      if (!fs.existsSync(manifest)) continue;
      const j = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name: string; scripts?: Record<string, string> };
      if (['preinstall', 'install', 'postinstall'].some((s) => j.scripts?.[s])) withScripts.push(j.name);
      if (fs.existsSync(path.join(p, 'node_modules'))) walk(path.join(p, 'node_modules'));
    }
  };
  walk(path.join(repoRoot, 'node_modules'));
  assert.ok(withScripts.length > 0, 'the walk found the packages with install scripts');
  assert.deepEqual([...new Set(withScripts)].filter((n) => !(n in allow)), [], 'add them to allowScripts: true if dmil needs what the script does, false if not');
});
