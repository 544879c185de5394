/** `POST /api/gateway/get-hold-summary-list` (docs/vendor-apis.md#mimecast-api-10): held messages counted per policy. */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import type { MimecastContext } from '../context.js';
import { mimecastEnvelope } from '../errors.js';

export function getHoldSummaryListRoute(app: FastifyInstance, { gateway }: MimecastContext): void {
  app.post('/gateway/get-hold-summary-list', { config: { permission: PERMISSION.heldSummaryRead } }, async () => {
    const summary = await gateway.heldQueue.summary();
    return mimecastEnvelope(summary.map((s) => ({ policyInfo: s.policyInfo, numberOfItems: s.count })), []);
  });
}
