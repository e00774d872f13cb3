import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  cleanText,
  codeSpan,
  escapeCell,
  escapeInline,
  heading,
  link,
  mermaidLabel,
  plainText,
  safeUrl,
  truncate,
  urlLabel,
} from '../../src/io/markdown.js';
import { allNodes, nodesOfType, parseMarkdown, textOf, type MdNode } from './markdown-ast.js';

const ZWJ = '\u200D';

// Pieces that mean something to Markdown, GFM, HTML, GitHub or a terminal.
const HOSTILE_PIECES = [
  '|', '\\', '`', '```', '~~~', '*', '**', '_', '[', ']', '(', ')', '<', '>', '#', '# ', '-', '- ', '+ ', '=', '===',
  '!', '&', '&amp;', '&#60;', '$', '$$', '~', ':', '/', '.', '1.', '2)', '@', '@someone', '#123', 'GH-12', ' ', '  ',
  '\n', '\r\n', '\t', '    ', 'a', 'Z', '7', 'é', '漢', '😀', 'www.', 'www.evil.com', 'http://', 'https://x.io/a_b',
  'mailto:a@b.co', 'a@b.co', 'javascript:alert(1)', '<script>', '</script>', '<img src=x onerror=alert(1)>', '<details>',
  '<!--', '-->', '[x](javascript:alert(1))', '![i](https://t.co/p.png)', '[^1]', '[x]: https://e.com', '\u001b[31m',
  '\u001b]0;title\u0007', '\u009b2J', '\u0000', '\u0008', '\u007f', '\u202e', '\u2066', '\u2028', '{', '}', '"', "'",
  'x | y', '\\|', '`a|b`',
];

const hostileText = fc.array(fc.constantFrom(...HOSTILE_PIECES), { minLength: 0, maxLength: 14 }).map((a) => a.join(''));

const RUNS = { numRuns: 1000 };

/** Nodes that must never come from data. */
function assertInert(root: MdNode): void {
  for (const n of allNodes(root)) {
    expect(['html', 'image', 'imageReference', 'linkReference', 'definition', 'footnoteReference', 'footnoteDefinition', 'code', 'math', 'inlineMath', 'delete', 'emphasis', 'strong', 'break', 'thematicBreak', 'blockquote']).not.toContain(n.type);
  }
}

describe('plainText / cleanText', () => {
  it('removes ANSI, OSC and control characters and shows bidi controls', () => {
    expect(cleanText('\u001b[31mred\u001b[0m \u001b]0;pwned\u0007ok\u0000\u0008\u007f\u009b')).toBe('red ok');
    expect(cleanText('abc\u202Edef')).toBe('abc<U+202E>def');
    expect(cleanText(' a\n\tb\r\nc\u2028d  ')).toBe('a b c d');
    expect(cleanText(undefined)).toBe('');
    expect(cleanText(42)).toBe('42');
  });

  it('breaks mentions, issue references and autolink literals with a zero-width joiner', () => {
    expect(plainText('thanks @someone for #123 and GH-45')).toBe(`thanks @${ZWJ}someone for #${ZWJ}123 and GH-${ZWJ}45`);
    expect(plainText('see www.x.org or https://x.org or mailto:me')).toBe(`see www${ZWJ}.x.org or https:${ZWJ}//x.org or mailto:${ZWJ}me`);
    expect(plainText('a@b.com')).toBe(`a@${ZWJ}b.com`);
    expect(plainText('C# and #hashtag')).toBe('C# and #hashtag');
  });

  it('truncates on a code-point boundary with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('ab😀cd', 4)).toBe('ab…');
    expect(truncate('abc', 3)).toBe('abc');
    expect(cleanText('one two three', 8)).toBe('one two…');
  });
});

describe('escapeInline renders exactly the visible text', () => {
  it('in a paragraph', () => {
    fc.assert(
      fc.property(hostileText, (s) => {
        const md = escapeInline(s);
        expect(md).not.toMatch(/[\n\r]/);
        const root = parseMarkdown(md);
        assertInert(root);
        const visible = plainText(s);
        if (visible === '') return;
        expect(root.children).toHaveLength(1);
        expect(root.children![0].type).toBe('paragraph');
        expect(root.children![0].children!.every((c) => c.type === 'text')).toBe(true);
        expect(textOf(root)).toBe(visible);
      }),
      RUNS,
    );
  });

  it('as a list item', () => {
    fc.assert(
      fc.property(hostileText, (s) => {
        const visible = plainText(s);
        if (visible === '') return;
        const root = parseMarkdown(`- ${escapeInline(s)}\n- second\n`);
        assertInert(root);
        expect(root.children).toHaveLength(1);
        const list = root.children![0];
        expect(list.type).toBe('list');
        expect(list.children).toHaveLength(2);
        const item = list.children![0];
        expect(item.children).toHaveLength(1);
        expect(item.children![0].type).toBe('paragraph');
        expect(textOf(item)).toBe(visible);
      }),
      RUNS,
    );
  });

  it('as a heading', () => {
    fc.assert(
      fc.property(hostileText, (s) => {
        const root = parseMarkdown(`${heading(3, s)}\n\ntext\n`);
        assertInert(root);
        expect(root.children!.map((c) => c.type)).toEqual(['heading', 'paragraph']);
        expect(root.children![0].depth).toBe(3);
        expect(textOf(root.children![0])).toBe(plainText(s, 200) || '-');
      }),
      RUNS,
    );
  });

  it('in GFM table cells: rows and columns stay right', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(hostileText, hostileText, hostileText), { minLength: 1, maxLength: 4 }), (rows) => {
        const lines = ['| A | B | C |', '| --- | --- | --- |', ...rows.map((r) => `| ${r.map((c) => escapeCell(c)).join(' | ')} |`)];
        const root = parseMarkdown(lines.join('\n') + '\n');
        assertInert(root);
        expect(root.children).toHaveLength(1);
        const table = root.children![0];
        expect(table.type).toBe('table');
        expect(table.children).toHaveLength(rows.length + 1);
        table.children!.slice(1).forEach((row, i) => {
          expect(row.children).toHaveLength(3);
          row.children!.forEach((cell, j) => expect(textOf(cell)).toBe(plainText(rows[i][j])));
        });
      }),
      RUNS,
    );
  });

  it('neutralises the classic attacks', () => {
    const attacks = [
      'a|b|c',
      '`a|b`',
      'trailing backslash\\',
      'line\nbreak',
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '<details><summary>open me</summary>',
      '<!-- hidden -->',
      '[x](javascript:alert(1))',
      '![pixel](https://tracker.example/p.png)',
      '# heading',
      '- list',
      '1. ordered',
      '> quote',
      '\u001b[2J\u001b[31mred',
      '@someone #123',
      '```\ncode\n```',
    ];
    const md = ['| Title |', '| --- |', ...attacks.map((a) => `| ${escapeCell(a)} |`)].join('\n');
    const root = parseMarkdown(md);
    assertInert(root);
    expect(nodesOfType(root, 'link')).toHaveLength(0);
    expect(nodesOfType(root, 'tableRow')).toHaveLength(attacks.length + 1);
    expect(nodesOfType(root, 'tableCell')).toHaveLength(attacks.length + 1);
    expect(md).not.toMatch(/(?<!\\)</);
    expect(md).not.toContain('\u001b');
    expect(escapeInline('@someone')).toBe(`@${ZWJ}someone`);
  });
});

describe('codeSpan', () => {
  it('holds any text literally, in and out of tables', () => {
    fc.assert(
      fc.property(hostileText, (s) => {
        const clean = cleanText(s);
        if (clean === '') {
          expect(codeSpan(s)).toBe('');
          return;
        }
        const root = parseMarkdown(`x ${codeSpan(s)} y`);
        const codes = nodesOfType(root, 'inlineCode');
        expect(codes).toHaveLength(1);
        expect(codes[0].value).toBe(clean);
        const table = parseMarkdown(`| A | B |\n| - | - |\n| ${codeSpan(s, { inTable: true })} | z |\n`);
        const cells = nodesOfType(table, 'tableCell');
        expect(cells).toHaveLength(4);
        expect(nodesOfType(cells[2], 'inlineCode')[0].value).toBe(clean.replace(/\\(?=\|)/g, `\\${ZWJ}`));
      }),
      RUNS,
    );
  });
});

describe('links', () => {
  it('accepts only http(s) URLs without credentials', () => {
    expect(safeUrl('https://github.com/a/b')).toBe('https://github.com/a/b');
    expect(safeUrl('HTTP://Example.org/x')).toBe('http://example.org/x');
    for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,x', 'vbscript:x', 'file:///etc/passwd', '//evil.com', '/relative', 'https://user:pw@evil.com', 'https://github.com@evil.com/', 'https://exa mple.com', 'https://a.com/\u0000', ' ', 42, undefined]) {
      expect(safeUrl(bad), String(bad)).toBeUndefined();
    }
  });

  it('percent-encodes what would end a destination or a cell', () => {
    const u = safeUrl('https://e.com/a(b)c|d<e>"f\'g`h[i]*_~');
    expect(u).toBe('https://e.com/a%28b%29c%7Cd%3Ce%3E%22f%27g%60h%5Bi%5D*_~');
  });

  it('renders one http(s) link with the escaped text, or the text alone', () => {
    fc.assert(
      fc.property(hostileText, fc.constantFrom('https://github.com/o/r', 'https://e.com/a(b)|c', 'javascript:alert(1)', 'http://x.org/?q=<b>'), (text, url) => {
        const md = `| L |\n| - |\n| ${link(text, url)} |\n`;
        const root = parseMarkdown(md);
        assertInert(root);
        const links = nodesOfType(root, 'link');
        const visible = plainText(text);
        if (visible === '' || url.startsWith('javascript')) {
          expect(links).toHaveLength(0);
        } else {
          expect(links).toHaveLength(1);
          expect(links[0].url).toMatch(/^https?:\/\//);
          expect(textOf(links[0])).toBe(visible);
        }
        expect(nodesOfType(root, 'tableCell')).toHaveLength(2);
      }),
      RUNS,
    );
  });

  it('labels URLs readably', () => {
    expect(urlLabel('https://www.github.com/owner/repo/')).toBe('github.com/owner/repo');
    expect(urlLabel('https://gitlab.com/')).toBe('gitlab.com');
    expect(urlLabel('https://github.com/caf%C3%A9')).toBe('github.com/café');
  });
});

describe('mermaidLabel', () => {
  it('keeps only characters that are safe in a quoted Mermaid string', () => {
    expect(mermaidLabel('gpu-kernels')).toBe('gpu-kernels');
    expect(mermaidLabel('a"b];%%{init}\nc')).toBe('a b init c');
    expect(mermaidLabel('')).toBe('?');
    fc.assert(
      fc.property(hostileText, (s) => {
        expect(mermaidLabel(s)).toMatch(/^[\p{L}\p{N} ._/+?…-]+$/u);
        expect(mermaidLabel(s)).not.toMatch(/["`;%\n]/);
      }),
      RUNS,
    );
  });
});
