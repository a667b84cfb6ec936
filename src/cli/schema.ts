// `dmil schema`: the config schema as JSON Schema (editor completion) or as the Markdown
// reference the README embeds.
import type { Command } from 'commander';
import { configReferenceMarkdown, configJsonSchema } from '../config/reference';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the config schema (JSON Schema), or the config reference with --markdown')
    .option('--markdown', 'print the Markdown config reference')
    .action((opts: { markdown?: boolean }) => {
      process.stdout.write(opts.markdown ? configReferenceMarkdown() : `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
      if (!opts.markdown) {
        process.stderr.write('editor completion: dmil schema > dmil.schema.json, then start a config with the line  # yaml-language-server: $schema=dmil.schema.json  (VS Code with the YAML extension, and other editors with the YAML language server)\n');
      }
    });
}
