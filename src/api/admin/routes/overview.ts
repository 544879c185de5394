/** `GET /overview`: the console's overview (services/console-overview.ts); polled every few seconds. */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { createConsoleOverview } from '../../../services/console-overview.js';
import type { AdminContext } from '../context.js';
import { errorResponses } from '../schemas/common.js';

const count = { type: 'integer' } as const;
const activity = {
  type: 'object',
  required: ['bucketMs', 'points'],
  properties: {
    bucketMs: count,
    points: {
      type: 'array',
      items: {
        type: 'object',
        required: ['at', 'accepted', 'delivered', 'deferred', 'bounced', 'held'],
        properties: { at: count, accepted: count, delivered: count, deferred: count, bounced: count, held: count },
      },
    },
  },
} as const;

const overviewSchema = {
  type: 'object',
  required: ['at', 'lastHour', 'lastWeek', 'queue', 'held', 'dialects'],
  properties: {
    at: count,
    lastHour: activity,
    lastWeek: activity,
    queue: {
      type: 'object',
      required: ['waiting', 'oldestReceivedAt'],
      properties: { waiting: count, oldestReceivedAt: { type: ['integer', 'null'] } },
    },
    held: count,
    dialects: { type: 'array', items: { type: 'object', required: ['source', 'count'], properties: { source: { type: 'string' }, count } } },
  },
} as const;

export function overviewRoutes(app: FastifyInstance, { gateway }: AdminContext): void {
  const overview = createConsoleOverview({ store: gateway.store, clock: gateway.clock });
  app.get(
    '/overview',
    {
      config: { permission: PERMISSION.trackingRead },
      schema: { summary: 'Traffic per minute (last hour) and per hour (last week), queue depth, held count, split by way in', response: { 200: overviewSchema, ...errorResponses } },
    },
    () => overview.overview(),
  );
}
