import { describe, expect, it } from 'vitest';
import { decodeEncodedWords, displayMailbox, parseAddressList, parseMailbox, quotedMailbox } from './address.js';

describe('address fields', () => {
  it.each([
    ['a group is flattened to its members', 'Team: a@x.test, b@x.test;, c@y.test', ['a@x.test', 'b@x.test', 'c@y.test']],
    ['a quoted comma stays inside the name', '"Doe, Jane" <jane@x.test>, bob@y.test', ['jane@x.test', 'bob@y.test']],
    ['an empty group yields nothing', 'undisclosed-recipients:;', []],
    ['an IDN domain is kept as written', 'Jürgen <j@müller.test>', ['j@müller.test']],
    ['a comment is not an address', 'bob@y.test (Bob at work)', ['bob@y.test']],
  ])('%s', (_why, value, expected) => {
    expect(parseAddressList(value).map((a) => a.address)).toEqual(expected);
  });

  it('decodes encoded-word display names and reads several field values in order', () => {
    const list = parseAddressList(['=?utf-8?q?J=C3=BCrgen?= <j@x.test>', '"Doe, Jane" <jane@x.test>']);
    expect(list).toEqual([
      { address: 'j@x.test', name: 'Jürgen' },
      { address: 'jane@x.test', name: 'Doe, Jane' },
    ]);
  });

  it('formats names so that they read back as one mailbox', () => {
    for (const a of [{ address: 'jane@x.test', name: 'Doe, Jane' }, { address: 'q@x.test', name: 'Say "hi"' }, { address: 'p@x.test', name: 'Plain Name' }]) {
      expect(parseMailbox(displayMailbox(a))).toEqual(a);
      expect(parseMailbox(quotedMailbox(a))).toEqual(a);
    }
    expect(displayMailbox({ address: 'p@x.test', name: 'Plain Name' })).toBe('Plain Name <p@x.test>');
    expect(quotedMailbox({ address: 'p@x.test' })).toBe('p@x.test');
  });

  it('leaves text without encoded words alone', () => {
    expect(decodeEncodedWords('plain = text ?=')).toBe('plain = text ?=');
  });
});
