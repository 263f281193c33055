/**
 * primero-sdk/webhooks: receive Primero's data forwarding (primero-api.md section 7). Primero POSTs
 * `{"data": {record_id, record_type, hostname, ...fields, last_updated_at}}` with an `x-api-key` header or
 * Basic auth: no signature, no event name, no retries.
 *
 * @example
 * ```ts
 * import { createWebhookHandler } from 'primero-sdk/webhooks';
 *
 * const handler = createWebhookHandler({
 *   auth: { apiKey: process.env.PRIMERO_WEBHOOK_KEY! },
 *   acknowledge: { client, url: 'https://partner.example/primero' },
 *   onDelivery: async (delivery) => { await save(delivery.data) },
 * });
 * ```
 *
 * @packageDocumentation
 */
export { verifyWebhook } from './verify.js';
export type { HasHeaders, HeadersLike, WebhookAuth } from './verify.js';
export { parseWebhook } from './parse.js';
export type { WebhookData, WebhookDelivery } from './parse.js';
export { AcknowledgementTracker } from './echo.js';
export type { AcknowledgeClient, AcknowledgeStatus, AcknowledgementTrackerOptions } from './echo.js';
export { createWebhookHandler } from './handler.js';
export type { NodeWebhookRequest, WebhookErrorStage, WebhookHandler, WebhookHandlerOptions } from './handler.js';
export { ConfigurationError, WebhookPayloadError, isPrimeroError } from '../core/errors.js';
export type { ValidationIssue } from '../core/errors.js';
