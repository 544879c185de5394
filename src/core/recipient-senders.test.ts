import { describe, expect, it } from 'vitest';
import type { HoldDecision, Policy } from './policy.js';
import { applyRecipientChoices, RECIPIENT_BLOCK_DECISION } from './recipient-senders.js';
import type { RecipientSenderEntry } from './storage/digest-store.js';

const policy = (id: string, kind: Policy['kind']): Policy => ({ id, name: id, kind, enabled: true, routes: ['inbound'], heldGroup: 'admin', position: 1, params: {} });
const POLICIES = [policy('spam', 'spam'), policy('content', 'content')];
const decision = (policyId: string): HoldDecision => ({ policyId, policyInfo: policyId, reason: '', reasonId: '', reasonCode: '', heldGroup: 'admin' });
const entry = (recipient: string, list: 'blocked' | 'permitted', pattern: string): RecipientSenderEntry => ({ id: `${recipient}-${pattern}`, recipient, list, pattern, createdAt: 0 });

describe('recipients’ own sender choices', () => {
  const cases: Array<{ name: string; held: Record<string, string>; entries: RecipientSenderEntry[]; want: Record<string, string>; allBlocked: boolean }> = [
    { name: 'a block holds only that recipient', held: {}, entries: [entry('a@x.test', 'blocked', 'bad@y.test')], want: { 'A@x.test': RECIPIENT_BLOCK_DECISION.policyId }, allBlocked: false },
    { name: 'a domain block matches', held: {}, entries: [entry('a@x.test', 'blocked', '@y.test')], want: { 'A@x.test': RECIPIENT_BLOCK_DECISION.policyId }, allBlocked: false },
    { name: 'every recipient blocking refuses the message', held: {}, entries: [entry('a@x.test', 'blocked', 'bad@y.test'), entry('b@x.test', 'blocked', 'bad@y.test')], want: { 'A@x.test': RECIPIENT_BLOCK_DECISION.policyId, 'b@x.test': RECIPIENT_BLOCK_DECISION.policyId }, allBlocked: true },
    { name: 'a permit lifts that recipient’s spam hold only', held: { 'A@x.test': 'spam', 'b@x.test': 'spam' }, entries: [entry('a@x.test', 'permitted', 'bad@y.test')], want: { 'b@x.test': 'spam' }, allBlocked: false },
    { name: 'a permit leaves a content hold', held: { 'A@x.test': 'content' }, entries: [entry('a@x.test', 'permitted', 'bad@y.test')], want: { 'A@x.test': 'content' }, allBlocked: false },
    { name: 'another sender is unaffected', held: { 'A@x.test': 'spam' }, entries: [entry('a@x.test', 'permitted', 'good@y.test'), entry('b@x.test', 'blocked', 'good@y.test')], want: { 'A@x.test': 'spam' }, allBlocked: false },
  ];
  it.each(cases)('$name', ({ held, entries, want, allBlocked }) => {
    const holds = new Map(Object.entries(held).map(([r, p]) => [r, decision(p)]));
    const result = applyRecipientChoices(holds, { recipients: ['A@x.test', 'b@x.test'], senders: ['bad@y.test'], entries, policies: POLICIES });
    expect(Object.fromEntries([...holds].map(([r, d]) => [r, d.policyId]))).toEqual(want);
    expect(result.allBlocked).toBe(allBlocked);
  });
});
