/**
 * `POST /api/account/get-account`: the account details integrations fetch to test their keys,
 * answered from this gateway (docs/vendor-apis.md, "get-account"). Request `data` is empty.
 */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { tenantIdFor } from '../../../auth/tenant.js';
import type { MimecastContext } from '../context.js';
import { mimecastEnvelope } from '../errors.js';

export function getAccountRoute(app: FastifyInstance, { gateway }: MimecastContext): void {
  const { config, store } = gateway;
  app.post('/account/get-account', { config: { permission: PERMISSION.accountRead } }, async () => {
    const users = await store.listUsers();
    const admin = users.find((u) => u.roles.includes('admin'));
    // The account code is the tenant id Graph clients already see, so both dialects name one account.
    const accountCode = tenantIdFor(config.hostname);
    return mimecastEnvelope(
      [
        {
          maxRetention: config.retentionDays,
          accountCode,
          domain: config.localDomains[0] ?? config.hostname,
          // Raw messages past retention are purged automatically (MAILGATE_PURGE_INTERVAL_SECONDS).
          automatedSegmentPurge: true,
          databaseCode: '',
          supportCode: '',
          region: '',
          accountName: config.hostname,
          maxRetentionConfirmed: true,
          archive: false,
          gateway: true,
          policyInheritance: false,
          // A console passphrase has no counterpart here, and no secret is ever returned.
          passphrase: '',
          type: '',
          mailPlatform: '',
          packages: [],
          mimecastId: accountCode,
          adminEmail: admin?.email ?? '',
          userCount: users.length,
        },
      ],
      [],
    );
  });
}
