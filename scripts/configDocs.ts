// `npm run docs`: writes docs/reference/config.md from the config schema (src/config/reference.ts).
// test/config.test.ts fails when the file and the schema disagree.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configReferenceDocument } from '../src/config/reference';

const file = path.resolve(__dirname, '..', '..', 'docs', 'reference', 'config.md');
fs.writeFileSync(file, configReferenceDocument());
process.stderr.write(`wrote ${path.relative(process.cwd(), file)}\n`);
