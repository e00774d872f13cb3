// papers tag, end to end: the real binary (build first), colour off unless a test turns it on.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, ROOT, SEED, jsonl, runCli, runShell } from '../support/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'papers-tag-'));
const SAMPLE = join(FIXTURES, 'tag', 'labelled-sample.jsonl');

describe('papers tag', () => {
  it('adds sorted tags and keywords to every record of the seed listing', async () => {
    const r = await runCli(['tag', SEED]);
    expect(r.code).toBe(0);
    const records = jsonl(r.stdout);
    expect(records).toHaveLength(119);
    for (const rec of records) {
      const tags = rec.tags as string[];
      expect(tags.length).toBeGreaterThan(0);
      expect([...tags].sort()).toEqual(tags);
      expect(Array.isArray(rec.keywords)).toBe(true);
    }
    expect(records[41].title).toBe('Liger Kernel: Efficient Triton Kernels for LLM Training');
    expect(records[41].tags).toEqual(expect.arrayContaining(['gpu-kernels', 'llm']));
    expect(r.stderr).toMatch(/papers tag: tagged 119 records/);
  });

  it('gives the same bytes from a listing and from parse | tag', async () => {
    const direct = await runCli(['tag', SEED, '-q']);
    const piped = await runShell(`node ${BIN} parse ${SEED} -q | node ${BIN} tag -q`);
    expect(piped.stdout).toBe(direct.stdout);
  });

  it('prints a table that fits 80 columns, without colour under NO_COLOR', async () => {
    const r = await runCli(['tag', SEED, '--format', 'table', '-q']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/\x1b/);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(/│ title\s+│ tags\s+│ keywords\s+│/);
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(80);
    expect(r.stdout).toContain('gpu-kernels');
    // Long tag ids are not broken across lines.
    expect(r.stdout).toMatch(/│ [^│]*reinforcement-learning/);
  });

  it('colours tags by family when colour is on, and sanitizes control characters from data', async () => {
    const evil = { id: 'x', title: 'Triton kernels \u001b]0;pwned\u0007 for LLM training', abstract: 'Fused CUDA kernels in Triton for GPUs.\u001b[2J' };
    const r = await runCli(['tag', '--format', 'table', '-q'], { input: `${JSON.stringify(evil)}\n`, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\x1b[35mgpu-kernels'); // method family: magenta
    expect(r.stdout).toContain('\x1b[34mllm'); // area family: blue
    expect(r.stdout).toContain('\\e]0;pwned^G');
    expect(r.stdout).not.toContain('\u001b]0;');
    expect(r.stdout).not.toContain('\u0007');
  });

  it('--explain says why, in JSONL and on the terminal', async () => {
    const j = await runCli(['tag', SEED, '--explain', '--keywords', '0', '-q']);
    const rec = jsonl(j.stdout)[40];
    expect(rec.title).toBe('Toward Large Kernel Models');
    const reasons = rec.tag_reasons as Record<string, string[]>;
    expect(Object.keys(reasons).sort()).toEqual([...(rec.tags as string[])].sort());
    expect(reasons['kernel-methods'].join('; ')).toMatch(/"kernel machines"/);
    const t = await runCli(['tag', SEED, '--explain', '--format', 'table', '-q']);
    // The paper's title, then one line per tag (areas first) with its reasons.
    expect(t.stdout).toMatch(/\nToward Large Kernel Models\n(?: {2}\S.*\n)*? {2}kernel-methods\s+"kernel machines" x5/);
  });

  it('--print-taxonomy prints the default taxonomy file, which --taxonomy reads back', async () => {
    const r = await runCli(['tag', '--print-taxonomy']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(ROOT, 'taxonomy', 'default.yaml'), 'utf8'));
    const dir = tmp();
    writeFileSync(join(dir, 'mine.yaml'), r.stdout);
    const a = await runCli(['tag', SEED, '-q', '--keywords', '0']);
    const b = await runCli(['tag', SEED, '-q', '--keywords', '0', '--taxonomy', join(dir, 'mine.yaml')]);
    expect(b.stdout).toBe(a.stdout);
  });

  it('uses a user taxonomy, and names the tag and problem of a bad one', async () => {
    const ok = await runCli(['tag', SEED, '-q', '--keywords', '0', '--taxonomy', join(FIXTURES, 'tag', 'kernel-senses.yaml')]);
    expect(ok.code).toBe(0);
    const recs = jsonl(ok.stdout);
    expect(recs[27].tags).toEqual(['gpu-kernels', 'machine-learning']);
    expect(recs[98].tags).toContain('kernel-methods');
    expect(recs[85].tags).toContain('convolution');

    const dir = tmp();
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'tags:\n  gpu:\n    phrases:\n      - { phrase: kernel, near: [cuda], windw: 3 }\n');
    const r = await runCli(['tag', SEED, '--taxonomy', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`papers tag: ${bad}:4: tag 'gpu', phrase 1: unknown key 'windw' (expected phrase, near, not_near, window, weight, exact)`);
    expect(r.stdout).toBe('');

    writeFileSync(bad, "tags:\n  evil: ['(a+)+$']\n");
    const re = await runCli(['tag', SEED, '--taxonomy', bad]);
    expect(re.code).toBe(1);
    expect(re.stderr).toMatch(/tag 'evil', phrase 1: "\(a\+\)\+\$" looks like a regular expression/);

    const missing = await runCli(['tag', SEED, '--taxonomy', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read taxonomy '.*nope\.yaml': no such file/);
  });

  it('trains, saves, evaluates and uses a model', async () => {
    const dir = tmp();
    const model = join(dir, 'model.json');
    const train = await runCli(['tag', '--train', SAMPLE, '--labels-from', 'primary_category', '--save-model', model, '--eval']);
    expect(train.code).toBe(0);
    expect(train.stdout).toMatch(/^5-fold cross-validation: 120 papers, labels from "primary_category" \(single label\)\naccuracy 0\.\d{3}/);
    expect(train.stdout).toMatch(/\nquant-ph\s+\d\.\d{3}\s+\d\.\d{3}\s+\d\.\d{3}\s+30\n/);
    expect(train.stderr).toMatch(/trained on 120 papers: 4 labels \(single label\), \d+ features; saved /);
    const saved = JSON.parse(readFileSync(model, 'utf8'));
    expect(saved).toMatchObject({ format: 'papers-tag-model', version: 1, field: 'primary_category', multi_label: false });

    const used = await runCli(['tag', '--model', model, '--no-taxonomy', SAMPLE, '-q']);
    expect(used.code).toBe(0);
    const recs = jsonl(used.stdout);
    expect(recs).toHaveLength(120);
    for (const r of recs) expect((r.tags as string[]).length).toBe(1);
    const right = recs.filter((r) => (r.tags as string[])[0] === String(r.primary_category).toLowerCase()).length;
    expect(right / recs.length).toBeGreaterThan(0.95); // its own training data
    expect((recs[0].keywords as string[]).length).toBeGreaterThan(0); // statistics saved in the model

    const explained = await runCli(['tag', '--model', model, SAMPLE, '--explain', '--keywords', '0', '-q']);
    const why = jsonl(explained.stdout)[0].tag_reasons as Record<string, string[]>;
    expect(Object.values(why).flat().join(' ')).toMatch(/learned \(primary_category = [^,]+, score -?\d+\.\d\d\): "[^"]+" \d\.\d{3}/);

    const evaluated = await runCli(['tag', '--model', model, '--eval', SAMPLE, '--format', 'jsonl']);
    expect(evaluated.code).toBe(0);
    const report = JSON.parse(evaluated.stdout);
    expect(report).toMatchObject({ evaluation: 'held-out', field: 'primary_category', documents: 120 });

    const multi = join(dir, 'multi.json');
    const m = await runCli(['tag', '--train', SAMPLE, '--labels-from', 'categories', '--save-model', multi, '-q']);
    expect(m.code).toBe(0);
    expect(JSON.parse(readFileSync(multi, 'utf8')).multi_label).toBe(true);
  });

  it('streams with --model: output starts before the input ends', async () => {
    const dir = tmp();
    const model = join(dir, 'model.json');
    expect((await runCli(['tag', '--train', SAMPLE, '--labels-from', 'primary_category', '--save-model', model, '-q'])).code).toBe(0);
    const lines = readFileSync(SAMPLE, 'utf8');
    const child = spawn(process.execPath, [BIN, 'tag', '--model', model, '-q'], { env: { ...process.env, NO_COLOR: '1' } });
    const firstOutput = new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    // Enough records to pass the output buffer, then keep stdin open.
    for (let i = 0; i < 10; i++) child.stdin.write(lines);
    const first = await Promise.race([firstOutput, new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), 30_000))]);
    child.stdin.end();
    await new Promise((resolve) => child.on('close', resolve));
    expect(first).not.toBe('timeout');
    expect(first.startsWith('{')).toBe(true);
  });

  it('usage errors exit 2 with one line', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['tag', '--train', SAMPLE], /--train needs --labels-from FIELD/],
      [['tag', '--train', SAMPLE, '--labels-from', 'x'], /--train needs --save-model FILE, --eval, or both/],
      [['tag', SEED, '--no-taxonomy'], /--no-taxonomy leaves nothing to tag with unless --model is given/],
      [['tag', SEED, '--keywords', 'many'], /--keywords expects a whole number from 0 to 100, got 'many'/],
      [['tag', SEED, '--eval'], /--eval goes with --train/],
      [['tag', SEED, '--threshold', '0.5'], /--threshold goes with --model/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const missing = await runCli(['tag', SEED, '--model', join(tmp(), 'none.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read model '.*none\.json': no such file/);
    const notModel = join(tmp(), 'x.json');
    writeFileSync(notModel, '{"format":"something"}');
    const wrong = await runCli(['tag', SEED, '--model', notModel]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/x\.json: not a papers tag model: "format" is "something"/);
  });

  it('tags empty input without complaint', async () => {
    const r = await runCli(['tag', '-q'], { input: '' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });
});
