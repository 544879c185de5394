/** What the gateway exposes of webhooks: the subscriptions, and the dispatcher it starts with delivery. */
import type { PeriodicPass } from '../periodic-pass.js';
import { createWebhookDispatcher, type WebhookDispatcherDeps } from './dispatcher.js';
import { createWebhookSubscriptions, type WebhookSubscriptions } from './subscriptions.js';

export interface WebhookService extends WebhookSubscriptions {
  /** Sends events from the tracking event log; a pass resolves with the number sent. */
  dispatch: PeriodicPass<number>;
}

export function createWebhookService(deps: WebhookDispatcherDeps): WebhookService {
  return { ...createWebhookSubscriptions(deps), dispatch: createWebhookDispatcher(deps) };
}
