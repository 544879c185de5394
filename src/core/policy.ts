/**
 * Hold policies as data, and their pure evaluation. Every submission (SMTP and every API dialect)
 * is checked against the same list in ingest(); the first matching policy, in `position` order,
 * decides. A recipient policy holds only the recipients it matches; every other kind holds the
 * whole message. Permitted senders skip the spam, DMARC and blocklist kinds (as Mimecast's
 * permitted senders bypass spam checks) but not content, attachment or address policies.
 */
import { MailgateError } from './errors.js';
import { matchesAddressPattern, normalizeAddressPattern } from './address-pattern.js';
import { SPAM_THRESHOLDS, isDetectionLevel, type DetectionLevel } from './spam-info.js';
import { ROUTE, type Route } from './tracking.js';

export const POLICY_KIND = {
  spam: 'spam',
  dmarc: 'dmarc',
  dnsbl: 'dnsbl',
  attachment: 'attachment',
  content: 'content',
  sender: 'sender',
  recipient: 'recipient',
} as const;
export type PolicyKind = (typeof POLICY_KIND)[keyof typeof POLICY_KIND];

/** Mimecast's held groups: who may review the message. */
export const HELD_GROUPS = ['admin', 'moderator', 'user', 'cluster'] as const;
export type HeldGroup = (typeof HELD_GROUPS)[number];

/** Kind-specific settings, stored as JSON beside the common columns. */
export interface PolicyParams {
  /** spam: hold at or above this level's threshold, or at `minScore` when given. */
  level?: DetectionLevel;
  minScore?: number;
  /** attachment: lower-case extensions without the dot, MIME types (`application/*` allowed), size limit. */
  extensions?: string[];
  contentTypes?: string[];
  maxSize?: number;
  /** content: a case-insensitive regular expression, matched against the subject, the body text or both. */
  pattern?: string;
  target?: 'subject' | 'body' | 'any';
  /** sender / recipient: address patterns (see address-pattern.ts). */
  addresses?: string[];
}

export interface Policy {
  id: string;
  name: string;
  kind: PolicyKind;
  enabled: boolean;
  /** The routes the policy applies to. */
  routes: Route[];
  heldGroup: HeldGroup;
  /** Lower positions are evaluated first. */
  position: number;
  params: PolicyParams;
}

/** Why a message is held, in Mimecast's terms (get-hold-message-list `reason`, `reasonId`, `reasonCode`, `policyInfo`). */
export interface HoldDecision {
  policyId: string;
  /** The policy name, shown as `policyInfo`. */
  policyInfo: string;
  reason: string;
  reasonId: string;
  reasonCode: string;
  heldGroup: HeldGroup;
}

/** reasonId per kind; the spam and attachment ids are Mimecast's own, the others follow their pattern. */
const REASONS: Record<PolicyKind, { id: string; text: string }> = {
  spam: { id: 'MESSAGE_HOLD_APPLIED_SPAM_SIGNATURE_POLICY', text: 'Message Hold Applied - Spam Signature policy' },
  dmarc: { id: 'MESSAGE_HOLD_APPLIED_DMARC_POLICY', text: 'Message Hold Applied - DMARC policy' },
  dnsbl: { id: 'MESSAGE_HOLD_APPLIED_RBL_POLICY', text: 'Message Hold Applied - RBL policy' },
  attachment: { id: 'MESSAGE_HOLD_APPLIED_ATTACHMENT_TYPE_POLICY', text: 'Message Hold Applied - Attachment Type policy' },
  content: { id: 'MESSAGE_HOLD_APPLIED_CONTENT_EXAMINATION_POLICY', text: 'Message Hold Applied - Content Examination policy' },
  sender: { id: 'MESSAGE_HOLD_APPLIED_SENDER_POLICY', text: 'Message Hold Applied - Sender policy' },
  recipient: { id: 'MESSAGE_HOLD_APPLIED_RECIPIENT_POLICY', text: 'Message Hold Applied - Recipient policy' },
};

/** What a fresh install starts with: inbound spam at or above the moderate threshold is held. */
export const DEFAULT_POLICIES: readonly Policy[] = [
  {
    id: 'default-inbound-spam',
    name: 'Default Inbound Spam Scanning',
    kind: 'spam',
    enabled: true,
    routes: [ROUTE.inbound],
    heldGroup: 'admin',
    position: 100,
    params: { level: 'moderate' },
  },
];

export interface AttachmentFact {
  filename: string;
  contentType: string;
  size: number;
}

/** What policies look at. Optional facts are gathered only when an applicable policy needs them. */
export interface MessageFacts {
  route: Route;
  mailFrom: string;
  /** Header From address, lower case ('' when absent). */
  fromAddress: string;
  subject: string;
  size: number;
  recipients: string[];
  /** Decoded body text (HTML as text). */
  text?: string;
  attachments?: AttachmentFact[];
  spam?: { score: number; dmarcFailed: boolean; rblListed: boolean; permitted: boolean };
}

export interface FactNeeds {
  content: boolean;
  attachments: boolean;
  spam: boolean;
}

/** The enabled policies for a route, in evaluation order. */
export function applicablePolicies(policies: readonly Policy[], route: Route): Policy[] {
  return policies.filter((p) => p.enabled && p.routes.includes(route)).sort((a, b) => a.position - b.position);
}

/** Which expensive facts the given (applicable) policies need: parsing and scanning cost time. */
export function factsNeeded(policies: readonly Policy[]): FactNeeds {
  const kinds = new Set(policies.map((p) => p.kind));
  return {
    content: policies.some((p) => p.kind === 'content' && p.params.target !== 'subject'),
    attachments: kinds.has('attachment'),
    spam: kinds.has('spam') || kinds.has('dmarc') || kinds.has('dnsbl'),
  };
}

/** The detection level reported with the spam score: the first spam policy's, else moderate. */
export function detectionLevelFor(policies: readonly Policy[]): DetectionLevel {
  return policies.find((p) => p.kind === 'spam')?.params.level ?? 'moderate';
}

function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot < 0 ? '' : filename.slice(dot + 1).toLowerCase();
}

function typeMatches(pattern: string, type: string): boolean {
  const p = pattern.toLowerCase();
  return p.endsWith('/*') ? type.toLowerCase().startsWith(p.slice(0, -1)) : type.toLowerCase() === p;
}

function messageMatches(policy: Policy, facts: MessageFacts): boolean {
  const { params } = policy;
  switch (policy.kind) {
    case 'spam': {
      if (!facts.spam || facts.spam.permitted) return false;
      const threshold = params.minScore ?? SPAM_THRESHOLDS[params.level ?? 'moderate'];
      return facts.spam.score >= threshold;
    }
    case 'dmarc':
      return Boolean(facts.spam && !facts.spam.permitted && facts.spam.dmarcFailed);
    case 'dnsbl':
      return Boolean(facts.spam && !facts.spam.permitted && facts.spam.rblListed);
    case 'attachment':
      return (facts.attachments ?? []).some(
        (a) =>
          (params.extensions ?? []).includes(extensionOf(a.filename)) ||
          (params.contentTypes ?? []).some((t) => typeMatches(t, a.contentType)) ||
          (params.maxSize !== undefined && a.size > params.maxSize),
      );
    case 'content': {
      const re = new RegExp(params.pattern ?? '(?!)', 'iu');
      const target = params.target ?? 'any';
      return (target !== 'body' && re.test(facts.subject)) || (target !== 'subject' && re.test(facts.text ?? ''));
    }
    case 'sender':
      return (params.addresses ?? []).some(
        (p) => matchesAddressPattern(p, facts.mailFrom) || matchesAddressPattern(p, facts.fromAddress),
      );
    case 'recipient':
      return false;
  }
}

function decisionOf(policy: Policy): HoldDecision {
  const reason = REASONS[policy.kind];
  return {
    policyId: policy.id,
    policyInfo: policy.name,
    reason: reason.text,
    reasonId: reason.id,
    reasonCode: reason.id.toLowerCase(),
    heldGroup: policy.heldGroup,
  };
}

/**
 * Decides, per recipient, whether to hold. Returns the decision for every held recipient
 * (keyed as given); recipients absent from the map are queued.
 */
export function evaluatePolicies(applicable: readonly Policy[], facts: MessageFacts): Map<string, HoldDecision> {
  const held = new Map<string, HoldDecision>();
  for (const policy of applicable) {
    if (policy.kind === 'recipient') {
      for (const r of facts.recipients) {
        if (!held.has(r) && (policy.params.addresses ?? []).some((p) => matchesAddressPattern(p, r))) held.set(r, decisionOf(policy));
      }
      continue;
    }
    if (messageMatches(policy, facts)) {
      const decision = decisionOf(policy);
      for (const r of facts.recipients) if (!held.has(r)) held.set(r, decision);
      return held;
    }
  }
  return held;
}

function stringList(value: unknown, field: string, normalize: (s: string) => string = (s) => s): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new MailgateError('invalid_type', `${field} must be a list of strings`, field);
  }
  return (value as string[]).map(normalize);
}

/** Validates a policy given by an administrator (CLI or admin API); returns it normalised. */
export function validatePolicy(input: Policy): Policy {
  if (!Object.values(POLICY_KIND).includes(input.kind)) {
    throw new MailgateError('invalid_value', `kind must be one of ${Object.values(POLICY_KIND).join(', ')}`, 'kind');
  }
  if (typeof input.name !== 'string' || input.name.trim() === '' || /[\r\n]/.test(input.name)) {
    throw new MailgateError('invalid_value', 'name must be a non-empty single line', 'name');
  }
  if (!HELD_GROUPS.includes(input.heldGroup)) throw new MailgateError('invalid_value', `heldGroup must be one of ${HELD_GROUPS.join(', ')}`, 'heldGroup');
  const routes = stringList(input.routes, 'routes') ?? [];
  if (routes.length === 0 || routes.some((r) => !Object.values(ROUTE).includes(r as Route))) {
    throw new MailgateError('invalid_value', 'routes must list inbound, outbound and/or internal', 'routes');
  }
  const p = input.params ?? {};
  const params: PolicyParams = {};
  if (p.level !== undefined) {
    if (!isDetectionLevel(p.level)) throw new MailgateError('invalid_value', 'level must be relaxed, moderate or aggressive', 'params.level');
    params.level = p.level;
  }
  if (p.minScore !== undefined) {
    if (typeof p.minScore !== 'number' || !Number.isFinite(p.minScore)) throw new MailgateError('invalid_type', 'minScore must be a number', 'params.minScore');
    params.minScore = p.minScore;
  }
  const extensions = stringList(p.extensions, 'params.extensions', (s) => s.replace(/^\./, '').toLowerCase());
  if (extensions) params.extensions = extensions;
  const contentTypes = stringList(p.contentTypes, 'params.contentTypes', (s) => s.toLowerCase());
  if (contentTypes) params.contentTypes = contentTypes;
  if (p.maxSize !== undefined) {
    if (!Number.isInteger(p.maxSize) || p.maxSize < 0) throw new MailgateError('invalid_value', 'maxSize must be a whole number of bytes', 'params.maxSize');
    params.maxSize = p.maxSize;
  }
  if (p.pattern !== undefined) {
    try {
      new RegExp(p.pattern, 'iu');
    } catch {
      throw new MailgateError('invalid_value', 'pattern is not a valid regular expression', 'params.pattern');
    }
    params.pattern = p.pattern;
  }
  if (p.target !== undefined) {
    if (!['subject', 'body', 'any'].includes(p.target)) throw new MailgateError('invalid_value', 'target must be subject, body or any', 'params.target');
    params.target = p.target;
  }
  const addresses = stringList(p.addresses, 'params.addresses', (s) => normalizeAddressPattern(s, 'params.addresses'));
  if (addresses) params.addresses = addresses;

  const missing =
    (input.kind === 'attachment' && !params.extensions?.length && !params.contentTypes?.length && params.maxSize === undefined) ||
    (input.kind === 'content' && params.pattern === undefined) ||
    ((input.kind === 'sender' || input.kind === 'recipient') && !params.addresses?.length);
  if (missing) throw new MailgateError('field_required', `a ${input.kind} policy needs its parameters (see README)`, 'params');
  return { ...input, name: input.name.trim(), routes: routes as Route[], params };
}
