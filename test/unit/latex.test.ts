import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bibtexToUnicode, latexToUnicode } from '../../src/text/latex.js';

describe('latexToUnicode', () => {
  it.each([
    ["C. Bal\\'azs", 'C. Balázs'],
    ["Fr{\\'e}d{\\'e}rique", 'Frédérique'],
    ["Poincar\\'{e}", 'Poincaré'],
    ['Schr\\"odinger and Schr\\"{o}dinger and {\\"o}', 'Schrödinger and Schrödinger and ö'],
    ['Omn\\`es, It\\^o, I\\~naki, Juzeli\\=unas', 'Omnès, Itô, Iñaki, Juzeliūnas'],
    ["Tom\\'a\\v{s} Vina\\v{r}, \\v{S}r\\'amek, Bro\\v{n}a", 'Tomáš Vinař, Šrámek, Broňa'],
    ['Erd\\H{o}s, Fran\\c{c}ois, Fran\\c cois, \\k{a}, \\r{u}, \\u{g}', 'Erdős, François, François, ą, ů, ğ'],
    ["Garc\\'{\\i}a and Garc\\'\\i a and D\\'iaz", 'García and García and Díaz'],
    ['Mei{\\ss}ner, Stra\\ss e, {\\O}bro, Pucha{\\l}a, \\AA ngstr\\"om, 12.14 \\AA\\ was', 'Meißner, Straße, Øbro, Puchała, Ångström, 12.14 Å was'],
    ['{\\ae}on, \\oe uvre, {\\L}\\\'od\\\'z', 'æon, œuvre, Łódź'],
  ])('turns accents into letters: %s', (input, expected) => {
    expect(latexToUnicode(input)).toBe(expected);
  });

  it.each([
    ['includes {\\em i)} the square-root, {\\it maximum speeds} and {\\bf 98}', 'includes i) the square-root, maximum speeds and 98'],
    ['the \\emph{a priori} unknown and \\textit{exactly} and \\textbf{bold \\emph{nested}}', 'the a priori unknown and exactly and bold nested'],
    ['we consider {\\em{weakly stable}} components', 'we consider weakly stable components'],
    ['81.87\\% similarity, 51.50{\\deg} for the cue, R\\&D, a\\_b, \\#1', '81.87% similarity, 51.50° for the cue, R&D, a_b, #1'],
    ["a literal ``universality'' and ``image\" too", 'a literal “universality” and “image” too'],
    ['see Fig.~3, Ref.~\\cite{x} and et al.~[4]', 'see Fig. 3, Ref. \\cite{x} and et al. [4]'],
    ['\\href{https://github.com/a/b}{our code} and \\url{https://x.org/a\\_b}', 'our code (https://github.com/a/b) and https://x.org/a_b'],
    ['costs \\$5 and \\$10 \\ldots{} and \\copyright', 'costs $5 and $10 … and ©'],
  ])('drops text macros and keeps their text: %s', (input, expected) => {
    expect(latexToUnicode(input)).toBe(expected);
  });

  it('leaves math alone apart from letter accents', () => {
    expect(latexToUnicode('the $(k,\\ell)$-pebble game')).toBe('the $(k,\\ell)$-pebble game');
    expect(latexToUnicode('$\\text{SNR}$ and $\\hat{x}$ and $$\\emph{x}$$')).toBe('$\\text{SNR}$ and $\\hat{x}$ and $$\\emph{x}$$');
    expect(latexToUnicode('$\\"o$ in math')).toBe('$ö$ in math');
    expect(latexToUnicode('{\\em the $k$-core} of \\(G\\)')).toBe('the $k$-core of \\(G\\)');
    expect(latexToUnicode('at $\\sim 5$~keV')).toBe('at $\\sim 5$~keV');
  });

  it('keeps the original characters when it is not sure', () => {
    // "~" meaning "about", URLs, dashes, unknown macros, accents that compose to no single letter.
    for (const s of [
      'at z~2.56 and n~0.03',
      'http://www.example.org/~user/x_y',
      'Mixed--frequency Value--at--Risk and NLP---A Survey',
      '\\operatorname H_{v} and \\thinspace and \\foo{bar}',
      'an escaped quote \\"Hello\\"',
      "don\\'t",
      '\\emph{unbalanced',
      'plain text with no TeX at all',
      'a line break \\\\ stays',
    ]) {
      expect(latexToUnicode(s)).toBe(s);
    }
  });

  it('never throws and is the identity on text without TeX characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const out = latexToUnicode(s);
        expect(typeof out).toBe('string');
        if (!/[\\`~{]/.test(s)) expect(out).toBe(s);
      }),
      { numRuns: 500 },
    );
  });
});

describe('bibtexToUnicode', () => {
  it('also removes the braces that protect case, outside math', () => {
    expect(bibtexToUnicode('{B}ayesian {GAN}s at {T}evatron and {LHC}')).toBe('Bayesian GANs at Tevatron and LHC');
    expect(bibtexToUnicode('Bro{\\v{n}}a Vina{\\v{r}}, Tom{\\\'a}{\\v{s}}')).toBe('Broňa Vinař, Tomáš');
    expect(bibtexToUnicode('set \\{x\\} and $\\{y\\}$')).toBe('set {x} and $\\{y\\}$');
  });
});
