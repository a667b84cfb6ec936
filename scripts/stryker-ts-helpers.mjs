// A StrykerJS ignorer (stryker.config.json: "ignorers": ["ts-helpers"]): Stryker mutates the
// compiled JavaScript, whose head holds the module helpers TypeScript emits for `import * as`
// (`var __createBinding = ...`, `__setModuleDefault`, `__importStar`) and its
// `Object.defineProperty(exports, "__esModule", ...)`. They are not dmil's code, so their mutants
// would only measure tsc.
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

const isTsHelper = (node) =>
  node.type === 'VariableDeclaration' && node.declarations.every((d) => d.id.type === 'Identifier' && /^__[A-Za-z]+$/.test(d.id.name));

const isEsModuleMark = (node) =>
  node.type === 'ExpressionStatement' && node.expression.type === 'CallExpression'
  && node.expression.arguments[1]?.type === 'StringLiteral' && node.expression.arguments[1].value === '__esModule';

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'ts-helpers', {
    shouldIgnore(path) {
      const top = path.findParent((p) => p.parentPath?.isProgram()) ?? path;
      return isTsHelper(top.node) || isEsModuleMark(top.node) ? "TypeScript's emitted module helper, not dmil's code" : undefined;
    },
  }),
];
