/**
 * The suppression list (docs/bounces.md): hard bounces add their address, operators list, add and
 * remove entries (CLI, admin API), and ingest() refuses client mail to an address in force.
 */
import { classifyReply } from '../delivery/bounce-rules.js';
import { MailgateError } from '../core/errors.js';
import type { Clock } from '../core/ports.js';
import type { InboundStore } from '../core/storage/inbound-store.js';
import type { SuppressionRecord, SuppressionStore } from '../core/storage/suppression-store.js';
import { assertAddress } from '../core/validate.js';

/** Only failures about the address itself suppress it; a refused message (spam, size, TLS) says nothing about the mailbox. */
const ADDRESS_CATEGORIES: ReadonlySet<string> = new Set(['recipient', 'domain']);

export interface SuppressionView {
  address: string;
  reason: string;
  sourceMessageId: string | null;
  createdBy: string;
  createdAt: string;
  /** Null: until removed. */
  expiresAt: string | null;
}

export interface SuppressionInput {
  address: string;
  reason?: string;
  /** Epoch ms; absent = until removed. */
  expiresAt?: number;
}

export interface Suppressions {
  list(): Promise<SuppressionView[]>;
  add(input: SuppressionInput, operator: string): Promise<SuppressionView>;
  /** Throws `not_found` when the address is not on the list. */
  remove(address: string, operator: string): Promise<void>;
  /** Suppresses the recipient when the reply is a hard bounce about the address; answers whether it did. */
  recordBounce(failed: { address: string; messageId: string; code: number; reply: string }): Promise<boolean>;
}

export interface SuppressionDeps {
  store: SuppressionStore & Pick<InboundStore, 'appendAudit'>;
  clock: Clock;
  /** How long a bounce suppresses its address; 0 = until removed. */
  bounceDays: number;
}

const DAY_MS = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();

export function suppressionView(r: SuppressionRecord): SuppressionView {
  return {
    address: r.address,
    reason: r.reason,
    sourceMessageId: r.sourceMessageId,
    createdBy: r.createdBy,
    createdAt: iso(r.createdAt),
    expiresAt: r.expiresAt === null ? null : iso(r.expiresAt),
  };
}

export function createSuppressions({ store, clock, bounceDays }: SuppressionDeps): Suppressions {
  return {
    async list() {
      return (await store.listSuppressions(clock.now())).map(suppressionView);
    },
    async add(input, operator) {
      const now = clock.now();
      const address = assertAddress(input.address, 'address').toLowerCase();
      if (input.expiresAt !== undefined && input.expiresAt <= now) throw new MailgateError('invalid_value', 'expiresAt must be in the future', 'expiresAt');
      const entry: SuppressionRecord = {
        address,
        reason: input.reason?.trim() || 'added by an operator',
        sourceMessageId: null,
        createdBy: operator,
        createdAt: now,
        expiresAt: input.expiresAt ?? null,
      };
      await store.putSuppression(entry);
      await store.appendAudit({ at: now, operator, action: 'suppression_add', target: address, detail: { reason: entry.reason, expiresAt: entry.expiresAt } });
      return suppressionView(entry);
    },
    async remove(address, operator) {
      const key = address.trim().toLowerCase();
      if (!(await store.removeSuppression(key))) throw new MailgateError('not_found', `${key} is not on the suppression list`, 'address');
      await store.appendAudit({ at: clock.now(), operator, action: 'suppression_remove', target: key, detail: {} });
    },
    async recordBounce(failed) {
      const verdict = classifyReply(failed.code, failed.reply);
      if (verdict.outcome !== 'permanent' || !ADDRESS_CATEGORIES.has(verdict.category)) return false;
      const now = clock.now();
      await store.putSuppression({
        address: failed.address.toLowerCase(),
        reason: `${failed.code} ${failed.reply}`.slice(0, 500),
        sourceMessageId: failed.messageId,
        createdBy: 'system',
        createdAt: now,
        expiresAt: bounceDays > 0 ? now + bounceDays * DAY_MS : null,
      });
      return true;
    },
  };
}
