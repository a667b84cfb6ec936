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
    });
}
