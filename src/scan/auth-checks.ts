/**
 * SPF, DKIM, DMARC and ARC with mailauth, reduced to what Mimecast's `spamProcessingDetail` shows
 * (`{allow, info}` per check) plus the facts scoring needs.
 */
import { authenticate } from 'mailauth';
import type { InboundConnection } from '../core/screening.js';
import type { CheckResult } from '../core/spam-info.js';
import type { DnsResolve } from './dns-resolver.js';

export interface AuthChecks {
  spf: CheckResult & { result: string };
  dkim: CheckResult & { result: string };
  dmarc: CheckResult & { result: string; policy: string };
  arc: CheckResult & { result: string };
  /** Authentication-Results and Received-SPF, CRLF-terminated, to put on top of the message. */
  headers: string;
}

/** Runs every check against the connection's facts; DNS goes through `resolve`. */
export async function checkAuthentication(
  raw: Buffer,
  input: { mailFrom: string; connection: InboundConnection; hostname: string },
  resolve: DnsResolve,
): Promise<AuthChecks> {
  const result = await authenticate(raw, {
    ip: input.connection.remoteIp.replace(/^::ffff:/i, ''),
    helo: input.connection.helo,
    // An empty MAIL FROM (bounces) is checked against the HELO name, as RFC 7208 §2.4 says.
    sender: input.mailFrom || `postmaster@${input.connection.helo}`,
    mta: input.hostname,
    resolver: resolve,
    disableBimi: true,
  });

  const spfStatus = result.spf ? result.spf.status.result : 'none';
  const spfInfo = result.spf ? result.spf.info : 'spf=none';
  const signatures = result.dkim.results ?? [];
  const dkimPass = signatures.find((s) => s.status.result === 'pass');
  const dkimStatus = dkimPass ? 'pass' : signatures.length === 0 ? 'none' : (signatures[0]?.status.result ?? 'none');
  const dkimInfo = signatures.length === 0 ? 'dkim=none (message not signed)' : (dkimPass ?? signatures[0])?.info ?? 'dkim=none';
  const dmarc = result.dmarc || undefined;
  const dmarcStatus = dmarc ? dmarc.status.result : 'none';
  const policy = dmarc?.policy ?? 'none';
  const arc = result.arc || undefined;
  const arcStatus = arc ? arc.status.result : 'none';

  return {
    spf: { result: spfStatus, allow: spfStatus !== 'fail', info: spfInfo },
    // mailauth reports a body-hash mismatch as `neutral`; a signature that exists and does not verify is not allowed.
    dkim: { result: dkimStatus, allow: dkimStatus === 'pass' || dkimStatus === 'none' || dkimStatus === 'temperror', info: dkimInfo },
    // A failing DMARC check under p=none is reported, not enforced (RFC 7489 §6.3).
    dmarc: { result: dmarcStatus, policy, allow: !(dmarcStatus === 'fail' && policy !== 'none'), info: dmarc?.info ?? 'dmarc=none' },
    arc: { result: arcStatus, allow: arcStatus !== 'fail', info: arc?.info ?? 'arc=none' },
    headers: result.headers,
  };
}
