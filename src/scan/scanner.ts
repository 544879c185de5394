/**
 * The Scanner port (core/screening.ts): sender lists, DNS blocklists, SPF/DKIM/DMARC/ARC, content
 * facts and the spam score, assembled into the Get Message Info page's `spamInfo` (docs/vendor-apis.md#message-tracking). Only the parts a request needs
 * are run; a full scan is what mail from outside gets.
 */
import type { Logger } from 'pino';
import { matchesAddressPattern } from '../core/address-pattern.js';
import type { ScanReport, ScanRequest, Scanner } from '../core/screening.js';
import { NOT_CHECKED, SPAM_THRESHOLDS, riskOf, type CheckResult, type SpamInfo, type VerdictCategory } from '../core/spam-info.js';
import type { InboundStore, SenderListEntry } from '../core/storage/inbound-store.js';
import { checkAuthentication, type AuthChecks } from './auth-checks.js';
import { readContent, type ContentFacts } from './content.js';
import type { DnsResolve } from './dns-resolver.js';
import { checkDnsbl, type DnsblHit } from './dnsbl.js';
import { rspamdCheck } from './rspamd.js';
import { GTUBE, applyRules, scoreOf, type RuleHit } from './rules.js';

export interface ScannerDeps {
  store: Pick<InboundStore, 'listSenderEntries' | 'listDnsblZones'>;
  resolve: DnsResolve;
  hostname: string;
  rspamdUrl?: string;
  log: Logger;
}

function senderMatch(entries: readonly SenderListEntry[], list: SenderListEntry['list'], addresses: readonly string[]): SenderListEntry | undefined {
  return entries.find((e) => e.list === list && addresses.some((a) => matchesAddressPattern(e.pattern, a)));
}

function categoriesOf(symbols: readonly RuleHit[]): VerdictCategory[] {
  const groups = new Map<string, RuleHit[]>();
  for (const s of symbols.filter((x) => x.score > 0)) groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
  return [...groups].map(([name, hits]) => ({
    name,
    risk: riskOf(scoreOf(hits)),
    subcategories: hits.map((h) => ({ name: h.name, risk: riskOf(h.score), augmentations: [] })),
  }));
}


/** `permittedSender.allow` is true when a permitted-senders entry matched (Mimecast's reading). */
function permittedResult(entry: SenderListEntry | undefined, checked: boolean): CheckResult {
  if (entry) return { allow: true, info: `permitted sender: matches ${entry.pattern}` };
  return { allow: false, info: checked ? 'not a permitted sender' : 'not checked' };
}

export function createScanner(deps: ScannerDeps): Scanner {
  async function spamScore(request: ScanRequest, symbols: RuleHit[]): Promise<{ score: number; symbols: RuleHit[]; engine: string }> {
    const builtIn = { score: scoreOf(symbols), symbols, engine: 'mailgate' };
    if (!deps.rspamdUrl) return builtIn;
    try {
      const answer = await rspamdCheck(deps.rspamdUrl, request.raw, {
        ...(request.connection ? { ip: request.connection.remoteIp, helo: request.connection.helo } : {}),
        ...(request.connection?.authenticatedUser ? { user: request.connection.authenticatedUser } : {}),
        mailFrom: request.mailFrom,
        rcptTo: [],
        hostname: deps.hostname,
      });
      // GTUBE is certain spam whatever rspamd's configuration scores it (it may only set an action).
      const gtube = symbols.find((s) => s.name === 'GTUBE');
      return { score: Math.max(answer.score, gtube?.score ?? -Infinity), symbols: gtube ? [gtube, ...answer.symbols] : answer.symbols, engine: 'rspamd' };
    } catch (error) {
      deps.log.warn({ err: error }, 'rspamd unavailable; using the built-in score');
      return builtIn;
    }
  }

  return {
    async scan(request): Promise<ScanReport> {
      const wantsSpam = request.full || request.needs.spam;
      const wantsContent = wantsSpam || request.needs.content || request.needs.attachments;
      const content: ContentFacts | undefined = wantsContent ? await readContent(request.raw) : undefined;
      const report: ScanReport = { headers: '', permitted: false, dmarcFailed: false, rblListed: false };
      if (content) {
        report.text = content.text;
        report.attachments = content.attachments;
      }
      if (!wantsSpam) return report;

      const senders = [request.mailFrom, request.fromAddress].filter((a) => a !== '');
      const entries = request.full ? await deps.store.listSenderEntries() : [];
      const permitted = senderMatch(entries, 'permitted', senders);
      const blocked = permitted ? undefined : senderMatch(entries, 'blocked', senders);
      if (blocked) return { ...report, blockedBy: blocked.pattern };
      report.permitted = permitted !== undefined;

      let auth: AuthChecks | undefined;
      let hits: DnsblHit[] = [];
      const connection = request.connection;
      if (request.full && connection) {
        const domain = request.mailFrom.slice(request.mailFrom.lastIndexOf('@') + 1).toLowerCase();
        const zones = await deps.store.listDnsblZones();
        [auth, hits] = await Promise.all([
          checkAuthentication(request.raw, { mailFrom: request.mailFrom, connection, hostname: deps.hostname }, deps.resolve),
          checkDnsbl(zones, { ip: connection.remoteIp, ...(domain ? { domain } : {}) }, deps.resolve),
        ]);
        report.headers = auth.headers;
        report.dmarcFailed = auth.dmarc.result === 'fail';
        report.rblListed = hits.length > 0;
      }

      const rules = applyRules({
        subject: content?.headers.get('subject') ?? '',
        ...(content ? { content } : {}),
        ...(auth ? { spf: auth.spf.result, dkim: auth.dkim.allow ? auth.dkim.result : 'fail', dmarc: auth.dmarc, arc: auth.arc.result } : {}),
        dnsbl: hits,
      });
      const scored = report.permitted ? { score: 0, symbols: [] as RuleHit[], engine: 'permitted' } : await spamScore(request, rules);
      const threshold = SPAM_THRESHOLDS[request.detectionLevel];
      const spam = scored.score >= threshold;
      const gtube = (content?.text ?? '').includes(GTUBE);
      const spamInfo: SpamInfo = {
        spamScore: scored.score,
        detectionLevel: request.detectionLevel,
        spamProcessingDetail: {
          rbl: hits.length > 0 ? { allow: false, info: hits.map((h) => `${h.query} ${h.answer}`).join('; ') } : { allow: true, info: request.full ? 'not listed' : 'not checked' },
          greyEmail: rules.some((r) => r.group === 'bulk'),
          spf: auth?.spf ? { allow: auth.spf.allow, info: auth.spf.info } : NOT_CHECKED,
          dkim: auth?.dkim ? { allow: auth.dkim.allow, info: auth.dkim.info } : NOT_CHECKED,
          dmarc: auth?.dmarc ? { allow: auth.dmarc.allow, info: auth.dmarc.info } : NOT_CHECKED,
          permittedSender: permittedResult(permitted, request.full),
          managedSender: { allow: true, info: request.full ? 'not a blocked sender' : 'not checked' },
          symbolGroups: scored.symbols.map((s) => ({ name: s.name, description: `${s.description} (${s.score})` })),
          verdict: {
            decision: spam ? 'spam' : 'clean',
            description: gtube
              ? 'GTUBE test message: certain spam'
              : `score ${scored.score} by ${scored.engine}; ${spam ? 'at or above' : 'below'} the ${request.detectionLevel} threshold ${threshold}`,
            risk: riskOf(scored.score),
            categories: categoriesOf(scored.symbols),
          },
        },
      };
      return { ...report, spamInfo };
    },
  };
}
