// A StrykerJS ignorer (stryker.config.json: "ignorers": ["ts-helpers"]): Stryker mutates the
// compiled JavaScript, whose head holds the module helpers TypeScript emits for `import * as`
// (`var __createBinding = ...`, `__setModuleDefault`, `__importStar`). They are not dmil's code,
// so their mutants would only measure tsc.
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

const isTsHelper = (node) =>
  node.type === 'VariableDeclaration' && node.declarations.every((d) => d.id.type === 'Identifier' && /^__[A-Za-z]+$/.test(d.id.name));

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'ts-helpers', {
    shouldIgnore(path) {
      const top = path.findParent((p) => p.parentPath?.isProgram()) ?? path;
      return isTsHelper(top.node) ? "TypeScript's emitted module helper, not dmil's code" : undefined;
    },
  }),
];
