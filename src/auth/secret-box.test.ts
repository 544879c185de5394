import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox } from './secret-box.js';

describe('secret box', () => {
  it('opens what it sealed, every time, and nothing sealed under another key or altered', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.seal('the secret');
    expect(box.open(sealed)).toBe('the secret');
    // The second open is answered from the box's memory of opened texts: still the same secret.
    expect(box.open(sealed)).toBe('the secret');

    expect(() => createSecretBox(randomBytes(32)).open(sealed)).toThrow();
    const [version, iv, tag, body] = sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(body, 'base64');
    flipped[0] = (flipped[0] as number) ^ 1;
    // Remembering the original must not let a variant of it through.
    expect(() => box.open([version, iv, tag, flipped.toString('base64')].join('.'))).toThrow();
    expect(() => box.open('v1.nope')).toThrow(/not a sealed secret/);
  });
});
