/**
 * Steps after ingest() committed (Sent Items and Tracking copies, removing a sent draft) are
 * optional: the message is already accepted and will be delivered. If one fails, the request still
 * answers success; an error answer would make the client retry and send the message twice.
 */
import type { FastifyBaseLogger } from 'fastify';

/** Runs `step`; a failure is logged with the accepted message's id and swallowed. Resolves with its result or undefined. */
export async function afterAcceptance<T>(log: FastifyBaseLogger, what: string, messageId: string, step: () => Promise<T>): Promise<T | undefined> {
  try {
    return await step();
  } catch (err) {
    log.error({ err, messageId, step: what }, 'optional step after acceptance failed; the message was accepted and is answered as sent');
    return undefined;
  }
}
