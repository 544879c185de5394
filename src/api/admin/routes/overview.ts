/** `GET /overview`: the console's overview (services/console-overview.ts); polled every few seconds. */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { createConsoleOverview } from '../../../services/console-overview.js';
import type { AdminContext } from '../context.js';
import { overviewSchema } from './console-schemas.js';

export function overviewRoutes(app: FastifyInstance, { gateway }: AdminContext): void {
  const overview = createConsoleOverview({ store: gateway.store, clock: gateway.clock });
  app.get(
    '/overview',
    { config: { permission: PERMISSION.trackingRead }, schema: overviewSchema },
    () => overview.overview(),
  );
}
