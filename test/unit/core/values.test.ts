import { describe, expect, it } from 'vitest';
import { bounded, boundedMemo, quoted, utf8ByteLength } from '../../../functions/core/values';

describe('quoted', () => {
  it('shows short strings, numbers, booleans and null whole', () => {
    expect(quoted('L-1')).toBe('"L-1"');
    expect(quoted('x'.repeat(40))).toBe(`"${'x'.repeat(40)}"`);
    expect(quoted(-12.5)).toBe('-12.5');
    expect(quoted(false)).toBe('false');
    expect(quoted(null)).toBe('null');
    expect(quoted(undefined)).toBe('nothing');
  });

  it('describes long strings, lists and maps by kind and size, never by content', () => {
    expect(quoted('x'.repeat(41))).toBe('a string of 41 characters');
    // Escapes count: 30 control characters render as 180, so the text is not quoted.
    expect(quoted('\u0000'.repeat(30))).toBe('a string of 30 characters');
    expect(quoted([1])).toBe('a list of 1 item');
    expect(quoted({ name: 'Zhang San', phone: '13800138000' })).toBe('a map of 2 entries');
    expect(quoted(10n ** 50n)).toBe('a number of 51 characters');
  });

  it('shows personal data by its kind only', () => {
    for (const value of ['Zhang San', 13800138000, ['Zhang San'], { phone: '13800138000' }]) {
      const text = quoted(value, { personal: true });
      expect(text).toMatch(/^a (string|number|list|map)$/);
    }
  });
});

describe('bounded', () => {
  it('keeps short text and cuts long text to the limit with an ellipsis', () => {
    expect(bounded('abc', 3)).toBe('abc');
    expect(bounded('abcdef', 4)).toBe('abc…');
  });

  it('never splits a surrogate pair', () => {
    const text = `ab${'😀'.repeat(5)}`;
    const cut = bounded(text, 4);
    expect(cut).toBe('ab…');
    expect(cut.length).toBeLessThanOrEqual(4);
  });
});

describe('utf8ByteLength', () => {
  it('counts bytes as UTF-8 encodes them', () => {
    for (const text of ['', 'L-1', 'é', '贷款', '😀', 'a\uD800b']) {
      expect(utf8ByteLength(text), text).toBe(new TextEncoder().encode(text).length);
    }
  });
});

describe('boundedMemo', () => {
  it('builds each key once, and forgets everything at the limit rather than growing', () => {
    const builds: string[] = [];
    const memo = boundedMemo(2, (key: string) => {
      builds.push(key);
      return { key };
    });
    const first = memo('a');
    expect(memo('a')).toBe(first);
    memo('b');
    memo('c'); // the third key: the two held are forgotten
    memo('a');
    expect(builds).toEqual(['a', 'b', 'c', 'a']);
  });
});
