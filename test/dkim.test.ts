import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import * as fc from 'fast-check';
import { authenticate, dkimSign } from 'mailauth';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../src/auth/secret-box.js';
import type { Clock } from '../src/core/ports.js';
import { createComposer } from '../src/mime/compose.js';
import { dkimDnsRecord, generateDkimKey } from '../src/mime/dkim-keys.js';
import type { DkimAlgorithm, GeneratedDkimKey } from '../src/mime/dkim-keys.js';
import { dkimSignatureHeader } from '../src/mime/dkim-signature.js';
import { createDkimSigner } from '../src/mime/dkim-domain-signer.js';
import type { DkimKeyRecord } from '../src/core/storage/store.js';

const secrets = createSecretBox(randomBytes(32));
const keys: Record<DkimAlgorithm, GeneratedDkimKey> = {
  'rsa-sha256': generateDkimKey('rsa-sha256'),
  'ed25519-sha256': generateDkimKey('ed25519-sha256'),
};

/** The store port, in memory: newest key per domain, counting lookups. */
function keyStore(records: DkimKeyRecord[] = []) {
  const lookups: string[] = [];
  return {
    lookups,
    records,
    async getDkimKey(domain: string): Promise<DkimKeyRecord | undefined> {
      lookups.push(domain);
      return records.filter((r) => r.domain === domain).sort((a, b) => b.createdAt - a.createdAt)[0];
    },
  };
}

function record(domain: string, selector: string, algorithm: DkimAlgorithm, createdAt = 1): DkimKeyRecord {
  const key = keys[algorithm];
  return { domain, selector, algorithm, privateKeyEnc: secrets.seal(key.privateKeyPem), publicKey: key.publicKey, createdAt };
}

/** Answers DKIM TXT lookups from the published records, NXDOMAIN for everything else. */
function resolver(published: Record<string, string>) {
  return async (name: string, rrtype: string): Promise<string[][]> => {
    const txt = published[name.toLowerCase()];
    if (rrtype === 'TXT' && txt) return [[txt]];
    throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };
}

function manualClock(start = Date.UTC(2024, 0, 2, 3, 4, 5)): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

async function message(): Promise<Buffer> {
  return createComposer().compose(
    {
      from: { address: 'zoe@example.com', name: 'Zoë' },
      to: [{ address: 'jane@example.org' }],
      cc: [{ address: 'ops@example.net' }],
      bcc: [],
      replyTo: [],
      subject: 'Signed – ✓',
      text: 'Hello,\n\nthis body is covered by bh=.\n',
      html: '<p>Hello</p>',
      attachments: [{ filename: 'a.bin', content: randomBytes(300) }],
      headers: [{ name: 'X-Campaign-Id', value: 'q3' }],
    },
    { messageId: 'dkim-test@mailgate.test', date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) },
  );
}

describe.each(['rsa-sha256', 'ed25519-sha256'] as const)('DKIM with %s', (algorithm) => {
  const published = { 'sel2024._domainkey.example.com': dkimDnsRecord(algorithm, keys[algorithm].publicKey) };

  it('signs so that mailauth verifies pass, and tampering fails', async () => {
    const raw = await message();
    const signer = createDkimSigner(keyStore([record('example.com', 'sel2024', algorithm)]), secrets);
    const signed = await signer.sign(raw, 'Example.COM');

    // The signature goes on top; the message below it is untouched.
    expect(signed.toString('latin1')).toMatch(/^DKIM-Signature: /);
    expect(signed.subarray(signed.length - raw.length).equals(raw)).toBe(true);

    const result = await authenticate(signed, {
      resolver: resolver(published),
      ip: '192.0.2.10',
      helo: 'mail.example.com',
      sender: 'zoe@example.com',
      mta: 'mx.example.org',
      disableArc: true,
      disableDmarc: true,
      disableBimi: true,
    });
    const [dkim] = result.dkim.results;
    expect(result.dkim.results).toHaveLength(1);
    expect(dkim).toMatchObject({
      signingDomain: 'example.com',
      selector: 'sel2024',
      // mailauth 4.13 reports these as `algo`/`format`; its typings call them algorithm/canonicalization.
      algo: algorithm,
      format: 'relaxed/relaxed',
      status: { result: 'pass', aligned: 'example.com' },
    });
    expect(result.headers).toContain('dkim=pass');

    const header = signed.toString('latin1').split(/\r\n(?![ \t])/)[0] as string;
    const signedFields = /\bh=([^;]+);/.exec(header.replace(/\r\n[ \t]+/g, ' '))?.[1]?.split(':').map((h) => h.trim().toLowerCase());
    expect(signedFields).toEqual(expect.arrayContaining(['from', 'to', 'cc', 'subject', 'date', 'message-id', 'mime-version', 'content-type']));

    const body = Buffer.from(signed.toString('latin1').replace('this body is covered', 'this body is CHANGED'), 'latin1');
    const bodyResult = await dkimVerify(body, { resolver: resolver(published) });
    // RFC 6376 6.3 makes this a PERMFAIL; mailauth reports it as `neutral` with this comment.
    expect(bodyResult.results[0]?.status).toMatchObject({ result: 'neutral', comment: 'body hash did not verify' });

    const subject = Buffer.from(signed.toString('latin1').replace(/^Subject: .*$/m, 'Subject: Changed'), 'latin1');
    expect((await dkimVerify(subject, { resolver: resolver(published) })).results[0]?.status.result).toBe('fail');
  });

  it('publishes a record in the form the RFCs require', () => {
    const value = dkimDnsRecord(algorithm, keys[algorithm].publicKey);
    const p = /; p=([A-Za-z0-9+/=]+)$/.exec(value)?.[1] ?? '';
    const bytes = Buffer.from(p, 'base64');
    if (algorithm === 'ed25519-sha256') {
      expect(value).toMatch(/^v=DKIM1; k=ed25519; p=/);
      // RFC 8463: the bare 32-byte public key, not SubjectPublicKeyInfo.
      expect(bytes).toHaveLength(32);
    } else {
      expect(value).toMatch(/^v=DKIM1; k=rsa; p=/);
      const key = createPublicKey({ key: bytes, format: 'der', type: 'spki' });
      expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    }
  });
});

describe('createDkimSigner', () => {
  it('returns the message unchanged when the domain has no key', async () => {
    const raw = await message();
    const signer = createDkimSigner(keyStore([record('example.com', 's', 'rsa-sha256')]), secrets);
    expect(await signer.sign(raw, 'other.example')).toBe(raw);
  });

  it('caches keys and their absence for a minute, then picks up a rotated key', async () => {
    const raw = await message();
    const clock = manualClock();
    const store = keyStore([record('example.com', 'old', 'rsa-sha256', 1)]);
    const signer = createDkimSigner(store, secrets, { clock });

    await Promise.all([signer.sign(raw, 'example.com'), signer.sign(raw, 'example.com'), signer.sign(raw, 'EXAMPLE.com')]);
    await signer.sign(raw, 'nokey.example');
    await signer.sign(raw, 'nokey.example');
    expect(store.lookups).toEqual(['example.com', 'nokey.example']);

    store.records.push(record('example.com', 'new', 'ed25519-sha256', 2));
    clock.advance(59_000);
    expect((await signer.sign(raw, 'example.com')).toString()).toMatch(/ s=old;/);
    clock.advance(1_000);
    const rotated = await signer.sign(raw, 'example.com');
    expect(rotated.toString()).toMatch(/ s=new;/);
    expect(store.lookups).toEqual(['example.com', 'nokey.example', 'example.com']);

    const verified = await dkimVerify(rotated, {
      resolver: resolver({ 'new._domainkey.example.com': dkimDnsRecord('ed25519-sha256', keys['ed25519-sha256'].publicKey) }),
    });
    expect(verified.results[0]?.status.result).toBe('pass');
  });

  it('fails loudly rather than sending unsigned when the key does not fit its record', async () => {
    const wrong = { ...record('example.com', 's', 'rsa-sha256'), algorithm: 'ed25519-sha256' as const };
    const signer = createDkimSigner(keyStore([wrong]), secrets);
    await expect(signer.sign(await message(), 'example.com')).rejects.toMatchObject({ code: 'internal' });
  });

  it('does not cache a failed lookup', async () => {
    let calls = 0;
    const signer = createDkimSigner(
      {
        async getDkimKey() {
          calls++;
          if (calls === 1) throw new Error('database unavailable');
          return undefined;
        },
      },
      secrets,
    );
    const raw = await message();
    await expect(signer.sign(raw, 'example.com')).rejects.toThrow('database unavailable');
    expect(await signer.sign(raw, 'example.com')).toBe(raw);
    expect(calls).toBe(2);
  });
});

describe('generateDkimKey', () => {
  it('refuses RSA sizes verifiers reject', () => {
    expect(() => generateDkimKey('rsa-sha256', 512)).toThrow(expect.objectContaining({ code: 'invalid_value', field: 'bits' }));
  });

  it('produces PKCS#8 PEM private keys', () => {
    expect(keys['rsa-sha256'].privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(keys['ed25519-sha256'].privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });
});

describe('dkimSignatureHeader (node:crypto signer) against mailauth', () => {
  const published = {
    'p._domainkey.example.com': dkimDnsRecord('rsa-sha256', keys['rsa-sha256'].publicKey),
    'e._domainkey.example.com': dkimDnsRecord('ed25519-sha256', keys['ed25519-sha256'].publicKey),
  };
  const rsa = createPrivateKey(keys['rsa-sha256'].privateKeyPem);
  const ed = createPrivateKey(keys['ed25519-sha256'].privateKeyPem);
  const options = { domain: 'example.com', selector: 'p', algorithm: 'rsa-sha256' as const, key: rsa, time: new Date(Date.UTC(2024, 0, 2)) };

  async function verdict(signed: Buffer): Promise<{ result: string; bodyHash: string | undefined }> {
    const verified = await dkimVerify(signed, { resolver: resolver(published) });
    const bh = /\bbh=([^;]+);/.exec(signed.toString('latin1').replace(/\r\n[ \t]+/g, ' '))?.[1];
    return { result: verified.results[0]?.status.result ?? 'none', bodyHash: bh };
  }

  it('verifies for messages with folding, whitespace runs, bare LF, trailing blank lines and repeated fields', async () => {
    const word = fc.stringMatching(/^[A-Za-z0-9.,!?=-]{1,12}$/);
    const space = fc.constantFrom(' ', '  ', '\t', ' \t ');
    const line = fc.array(fc.tuple(word, space), { maxLength: 8 }).map((parts) => parts.map(([w, s]) => w + s).join(''));
    const eol = fc.constantFrom('\r\n', '\n');
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 12 }), eol, fc.nat(3), line, fc.boolean(), async (lines, nl, blanks, subject, twice) => {
        const header = [
          'From: Zoe <zoe@example.com>',
          `Subject:  ${subject}${nl}\t continued  `,
          'To: jane@example.org',
          ...(twice ? ['Received: by a', 'To: second@example.org'] : []),
          'Date: Tue, 02 Jan 2024 03:04:05 +0000',
          'Message-ID: <p@example.com>',
        ].join(nl);
        // Bodies end in a line end, as on the wire (SMTP DATA adds one when a message lacks it).
        const raw = Buffer.from(`${header}${nl}${nl}${lines.map((l) => l + nl).join('')}${nl.repeat(blanks)}`, 'latin1');
        const signed = Buffer.concat([Buffer.from(await dkimSignatureHeader(raw, options), 'latin1'), raw]);
        expect((await verdict(signed)).result).toBe('pass');
      }),
      { numRuns: 60 },
    );
  });

  it('makes the same verifying signature on the calling thread as on the thread pool, RSA and Ed25519', async () => {
    const raw = Buffer.from('From: zoe@example.com\r\nTo: jane@example.org\r\nSubject: inline\r\n\r\nbody\r\n', 'latin1');
    for (const key of [options, { ...options, selector: 'e', algorithm: 'ed25519-sha256' as const, key: ed }]) {
      const pooled = await dkimSignatureHeader(raw, key);
      const inline = await dkimSignatureHeader(raw, { ...key, inline: true });
      // Both schemes are deterministic (RSASSA-PKCS1-v1_5, RFC 8032 Ed25519): the same input gives the same bytes.
      expect(inline).toBe(pooled);
      expect((await verdict(Buffer.concat([Buffer.from(inline, 'latin1'), raw]))).result).toBe('pass');
    }
  });

  it('computes the body hash mailauth computes, also across the 1 MiB slices of a large body', async () => {
    const body = `${'line with  spaces \t\r\n'.repeat(70_000)}end\r\n\r\n\r\n`;
    const raw = Buffer.from(`From: zoe@example.com\r\nSubject: big\r\n\r\n${body}`, 'latin1');
    expect(raw.length).toBeGreaterThan(1 << 20);
    const ours = Buffer.concat([Buffer.from(await dkimSignatureHeader(raw, options), 'latin1'), raw]);
    const theirs = await dkimSign(raw, { signatureData: [{ signingDomain: 'example.com', selector: 'p', privateKey: keys['rsa-sha256'].privateKeyPem }] } as never);
    const mailauthHash = /\bbh=([^;]+);/.exec(theirs.signatures.replace(/\r\n[ \t]+/g, ' '))?.[1];
    expect(await verdict(ours)).toEqual({ result: 'pass', bodyHash: mailauthHash });
  });

  it('hashes slices with nothing to canonicalize as they are, blank lines at slice and body ends included', async () => {
    // Base64 lines (no WSP, CRLF only) filling the first 1 MiB slice exactly, so that it ends in a
    // blank line and the next begins with more; then spaces, a bare LF and blank lines at the end.
    const lines = (count: number) => Array.from({ length: count }, () => `${randomBytes(57).toString('base64')}\r\n`).join('');
    const first = `${'A'.repeat(20)}\r\n${lines(13_443)}`;
    expect(first.length).toBe(1 << 20);
    const body = `${first}\r\n\r\n\r\n${lines(20_000)}\r\n\r\nlast  line \n\r\n\r\n`;
    const raw = Buffer.from(`From: zoe@example.com\r\nSubject: big\r\n\r\n${body}`, 'latin1');
    expect(raw.length).toBeGreaterThan(2 << 20);
    const ours = Buffer.concat([Buffer.from(await dkimSignatureHeader(raw, options), 'latin1'), raw]);
    const theirs = await dkimSign(raw, { signatureData: [{ signingDomain: 'example.com', selector: 'p', privateKey: keys['rsa-sha256'].privateKeyPem }] } as never);
    const mailauthHash = /\bbh=([^;]+);/.exec(theirs.signatures.replace(/\r\n[ \t]+/g, ' '))?.[1];
    expect(await verdict(ours)).toEqual({ result: 'pass', bodyHash: mailauthHash });
  });

  it('signs Ed25519 (RFC 8463) so that mailauth verifies it, and refuses a key of the wrong type', async () => {
    const raw = await message();
    const signed = Buffer.concat([Buffer.from(await dkimSignatureHeader(raw, { ...options, selector: 'e', algorithm: 'ed25519-sha256', key: ed }), 'latin1'), raw]);
    expect((await verdict(signed)).result).toBe('pass');
    await expect(dkimSignatureHeader(raw, { ...options, key: ed })).rejects.toThrow(/Invalid key type/);
  });

  it('refuses a message without header fields', async () => {
    await expect(dkimSignatureHeader(Buffer.from('\r\nbody only\r\n'), options)).rejects.toThrow('no header fields');
  });
});
