import { describe, expect, it } from 'vitest';
import { matchesAddressPattern, normalizeAddressPattern } from './address-pattern.js';
import { DEFAULT_POLICIES, evaluatePolicies, factsNeeded, validatePolicy, type MessageFacts, type Policy } from './policy.js';

const base: MessageFacts = { route: 'inbound', mailFrom: 'a@remote.test', fromAddress: 'a@remote.test', subject: 'hello', size: 100, recipients: ['x@local.test', 'y@local.test'] };
const policy = (p: Partial<Policy> & Pick<Policy, 'kind' | 'params'>): Policy => ({ id: p.kind, name: p.kind, enabled: true, routes: ['inbound'], heldGroup: 'admin', position: 1, ...p });
const spam = (score: number, extra: Partial<NonNullable<MessageFacts['spam']>> = {}) => ({ score, dmarcFailed: false, rblListed: false, permitted: false, ...extra });

describe('evaluatePolicies', () => {
  it.each<[string, Policy[], Partial<MessageFacts>, string[]]>([
    ['spam at the moderate threshold', [...DEFAULT_POLICIES], { spam: spam(5) }, ['x@local.test', 'y@local.test']],
    ['spam below it', [...DEFAULT_POLICIES], { spam: spam(4.9) }, []],
    ['permitted sender skips spam', [...DEFAULT_POLICIES], { spam: spam(1000, { permitted: true }) }, []],
    ['minScore overrides the level', [policy({ kind: 'spam', params: { level: 'relaxed', minScore: 2 } })], { spam: spam(2) }, ['x@local.test', 'y@local.test']],
    ['dmarc failure', [policy({ kind: 'dmarc', params: {} })], { spam: spam(0, { dmarcFailed: true }) }, ['x@local.test', 'y@local.test']],
    ['dnsbl listing', [policy({ kind: 'dnsbl', params: {} })], { spam: spam(0, { rblListed: true }) }, ['x@local.test', 'y@local.test']],
    ['attachment extension', [policy({ kind: 'attachment', params: { extensions: ['exe'] } })], { attachments: [{ filename: 'A.EXE', contentType: 'application/x-msdownload', size: 3 }] }, ['x@local.test', 'y@local.test']],
    ['attachment type wildcard', [policy({ kind: 'attachment', params: { contentTypes: ['application/*'] } })], { attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', size: 3 }] }, ['x@local.test', 'y@local.test']],
    ['attachment under size', [policy({ kind: 'attachment', params: { maxSize: 10 } })], { attachments: [{ filename: 'a', contentType: 'text/plain', size: 10 }] }, []],
    ['content in body only', [policy({ kind: 'content', params: { pattern: 'secret', target: 'body' } })], { subject: 'secret', text: 'nothing' }, []],
    ['sender by domain', [policy({ kind: 'sender', params: { addresses: ['@remote.test'] } })], {}, ['x@local.test', 'y@local.test']],
    ['recipient holds only that recipient', [policy({ kind: 'recipient', params: { addresses: ['y@local.test'] } })], {}, ['y@local.test']],
    ['route not applicable is the caller\'s filter', [], { spam: spam(1000) }, []],
  ])('%s', (_name, policies, facts, held) => {
    expect([...evaluatePolicies(policies, { ...base, ...facts }).keys()].sort()).toEqual(held);
  });

  it('the first matching policy by position decides the reason', () => {
    const decision = evaluatePolicies([policy({ kind: 'dmarc', params: {} }), ...DEFAULT_POLICIES], { ...base, spam: spam(9, { dmarcFailed: true }) }).get('x@local.test');
    expect(decision?.reasonId).toBe('MESSAGE_HOLD_APPLIED_DMARC_POLICY');
  });

  it('asks for expensive facts only when a policy needs them', () => {
    expect(factsNeeded([])).toEqual({ content: false, attachments: false, spam: false });
    expect(factsNeeded([policy({ kind: 'content', params: { pattern: 'x', target: 'subject' } })])).toEqual({ content: false, attachments: false, spam: false });
    expect(factsNeeded([...DEFAULT_POLICIES])).toMatchObject({ spam: true });
  });
});

describe('validatePolicy and address patterns', () => {
  it('refuses incomplete or invalid policies with the field named', () => {
    expect(() => validatePolicy(policy({ kind: 'attachment', params: {} }))).toThrow(expect.objectContaining({ field: 'params' }));
    expect(() => validatePolicy(policy({ kind: 'spam', params: { level: 'extreme' as never } }))).toThrow(expect.objectContaining({ field: 'params.level' }));
    expect(() => validatePolicy({ ...policy({ kind: 'spam', params: {} }), routes: ['sideways' as never] })).toThrow(expect.objectContaining({ field: 'routes' }));
    expect(validatePolicy(policy({ kind: 'attachment', params: { extensions: ['.EXE'] } })).params.extensions).toEqual(['exe']);
  });

  it.each([
    ['@example.test', 'a@example.test', true],
    ['*@example.test', 'a@sub.example.test', false],
    ['example.test', 'a@sub.example.test', true],
    ['a@example.test', 'A@Example.test', true],
    ['*@*.example.net', 'x@mail.example.net', true],
    ['bad.test', 'a@notbad.test', false],
  ])('%s matches %s: %s', (pattern, address, expected) => {
    expect(matchesAddressPattern(normalizeAddressPattern(pattern), address)).toBe(expected);
  });
});
