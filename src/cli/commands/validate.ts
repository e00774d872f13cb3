// papers validate: check a JSONL stream against the record schema (schema/paper.schema.json).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DataError } from '../../errors.js';
import { decodeChunks } from '../../io/decode.js';
import { resolveInputs } from '../../io/inputs.js';
import { jsonErrorReason } from '../../stages/parse/json.js';
import { textLines } from '../../stages/parse/types.js';
import type { CliIO } from '../framework.js';

interface ValidateOptions {
  maxErrors: string;
  printSchema?: boolean;
}

export function registerValidate(program: Command, io: CliIO): void {
  program
    .command('validate')
    .description('check JSONL records against the record schema; exit 1 if any is invalid')
    .argument('[inputs...]', 'JSONL files (default: stdin)')
    .option('--max-errors <n>', 'stop listing problems after this many', '20')
    .option('--print-schema', 'print the JSON Schema of a record and exit')
    .addHelpText(
      'after',
      `
Each problem is one line on stderr: FILE:LINE: /field: problem. Valid input prints a count.

Examples:
  papers parse listing.txt | papers validate
  papers validate --print-schema > paper.schema.json`,
    )
    .action(async (inputs: string[], opts: ValidateOptions) => {
      const schemaText = readFileSync(new URL('../../../schema/paper.schema.json', import.meta.url), 'utf8');
      if (opts.printSchema) {
        io.stdout.write(schemaText);
        return;
      }
      const { default: Ajv } = (await import('ajv')) as unknown as { default: new (o: object) => AjvLike };
      const ajv = new Ajv({ allErrors: true, strict: false });
      const validate = ajv.compile(JSON.parse(schemaText));
      const maxErrors = Number(opts.maxErrors);
      const diagnostics = io.diagnostics('validate');
      const sources = await resolveInputs(inputs, io.stdin, 'validate');
      let records = 0;
      let invalid = 0;
      const report = (where: string, message: string) => {
        invalid++;
        if (invalid <= maxErrors) io.stderr.write(`papers validate: ${where}: ${message}\n`);
      };
      for (const source of sources) {
        for await (const { text, line } of textLines(decodeChunks(source.open(), source.path, diagnostics))) {
          if (text.trim() === '') continue;
          records++;
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch {
            report(`${source.path}:${line}`, `not valid JSON: ${jsonErrorReason(text)}`);
            continue;
          }
          if (!validate(value)) {
            const first = validate.errors?.[0];
            const more = (validate.errors?.length ?? 1) - 1;
            report(`${source.path}:${line}`, `${first?.instancePath || '/'}: ${first?.message ?? 'invalid'}${more > 0 ? ` (+${more} more)` : ''}`);
          }
        }
      }
      if (invalid > 0) {
        throw new DataError(`${invalid} of ${records} record${records === 1 ? '' : 's'} invalid`);
      }
      diagnostics.info(`${records} record${records === 1 ? '' : 's'} valid`);
    });
}

interface AjvLike {
  compile(schema: unknown): ((value: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string }> | null };
}
