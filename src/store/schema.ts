/** Table shapes shared by every SQL backend (column names as stored). */
import type { Generated } from 'kysely';

export interface Database {
  /** One row: moved by triggers on the tables behind per-request lookups (migration 0023). */
  lookup_version: { id: number; version: number };
  users: { id: string; email: string; email_key: string; name: string | null; roles: string; created_at: number; removed_at: number | null };
  delegations: { user_id: string; address: string };
  api_apps: { app_id: string; app_key_enc: string; name: string; created_at: number };
  api_keys: {
    access_key: string;
    secret_key_enc: string;
    app_id: string;
    user_id: string;
    expires_at: number | null;
    created_at: number;
    revoked_at: number | null;
  };
  request_ids: { id: string; seen_at: number; writer: string | null };
  instances: { id: string; host: string; pid: number; started_at: number; heartbeat_at: number };
  rate_limits: { key: string; window_start: number; count: number };
  settings: { name: string; value: string };
  console_sessions: { token_hash: string; user_id: string; created_at: number; last_seen_at: number; expires_at: number };
  guess_counters: { key: string; points: number; expire: number | null };
  idempotency_keys: {
    key: string;
    owner: string;
    fingerprint: string;
    state: string;
    status: number | null;
    content_type: string | null;
    body: string | null;
    created_at: number;
    expires_at: number;
  };
  dkim_keys: {
    domain: string;
    selector: string;
    algorithm: string;
    private_key_enc: string;
    public_key: string;
    created_at: number;
  };
  files: { id: string; user_id: string; size: number; sha256: string; blob_key: string; created_at: number; used_at: number | null };
  messages: {
    id: string;
    internet_message_id: string;
    source: string;
    route: string;
    user_id: string | null;
    mail_from: string;
    from_header: string;
    subject: string;
    size: number;
    blob_key: string;
    status: string;
    received_at: number;
    expires_at: number;
    meta: string;
    purge_at: number | null;
    original_purge_at: number | null;
    purged_at: number | null;
    sender_ip: string | null;
    summary: string | null;
  };
  recipients: {
    id: string;
    message_id: string;
    address: string;
    domain: string;
    kind: string;
    transport: string;
    status: string;
    attempts: number;
    next_attempt_at: number;
    lease_owner: string | null;
    lease_until: number | null;
    last_code: number | null;
    last_reply: string | null;
    updated_at: number;
  };
  events: {
    id: Generated<number>;
    message_id: string;
    recipient_id: string | null;
    kind: string;
    at: number;
    detail: string;
    write_id: string | null;
    write_seq: number | null;
    /** Log order for readers that follow the table (webhooks); see migration 0015. */
    tx: Generated<number>;
  };
  webhook_endpoints: {
    id: string;
    url: string;
    events: string;
    secret_enc: string;
    created_by: string;
    created_at: number;
    cursor_tx: number;
    cursor_id: number;
    failures: number;
    next_attempt_at: number;
    lease_owner: string | null;
    lease_until: number | null;
    disabled_at: number | null;
    disabled_reason: string | null;
  };
  webhook_attempts: {
    id: Generated<number>;
    endpoint_id: string;
    event_id: string;
    event_type: string;
    at: number;
    ok: number;
    status: number | null;
    error: string | null;
    duration_ms: number;
  };
  litigation_holds: {
    id: string;
    message_id: string | null;
    address: string | null;
    description: string;
    created_by: string;
    created_at: number;
    expires_at: number | null;
    released_at: number | null;
    released_by: string | null;
  };
  suppressions: {
    address: string;
    reason: string;
    source_message_id: string | null;
    created_by: string;
    created_at: number;
    expires_at: number | null;
  };
  policies: {
    id: string;
    name: string;
    kind: string;
    enabled: number;
    routes: string;
    held_group: string;
    position: number;
    params: string;
    created_at: number;
    updated_at: number;
  };
  sender_lists: { id: string; list: string; pattern: string; note: string | null; created_at: number };
  dnsbl_zones: { zone: string; kind: string; weight: number; created_at: number };
  holds: {
    message_id: string;
    status: string;
    policy_id: string;
    policy_info: string;
    reason: string;
    reason_id: string;
    reason_code: string;
    held_group: string;
    has_attachments: number;
    to_address: string;
    held_at: number;
    expires_at: number;
    decided_at: number | null;
    decided_by: string | null;
  };
  audit_log: { id: Generated<number>; at: number; operator: string; action: string; target: string; detail: string; write_id: string | null };
  recipient_senders: { id: string; recipient: string; list: string; pattern: string; created_at: number };
  digest_sends: { recipient: string; period: number; sent_at: number; writer: string | null };
  digest_link_uses: { token_id: string; used_at: number; expires_at: number; writer: string | null };
  mailbox_entries: {
    id: string;
    user_id: string;
    folder: string;
    message_id: string | null;
    blob_key: string;
    subject: string;
    from_header: string;
    size: number;
    received_at: number;
    unread: number;
    internet_message_id: string;
    recipients: string;
    has_attachments: number;
    preview: string;
    sent_at: number | null;
    properties: string;
    owner_mentioned: number;
  };
  user_passwords: { user_id: string; password_hash: string; updated_at: number };
  oauth_clients: { client_id: string; name: string; secret_hash: string; permissions: string; created_at: number; user_id: string | null; revoked_at: number | null };
  signing_keys: { kid: string; algorithm: string; private_key_enc: string; public_jwk: string; created_at: number };
  refresh_tokens: {
    token_hash: string;
    client_id: string;
    user_id: string;
    audience: string;
    scopes: string;
    expires_at: number;
    created_at: number;
  };
  drafts: {
    id: string;
    user_id: string;
    message: string;
    mime_blob_key: string | null;
    internet_message_id: string;
    created_at: number;
    updated_at: number;
  };
  draft_attachments: {
    id: string;
    draft_id: string;
    name: string;
    content_type: string | null;
    content_id: string | null;
    is_inline: number;
    size: number;
    blob_keys: string;
    created_at: number;
  };
  mailbox_numbers: { mail_id: Generated<number>; entry_id: string; marked: Generated<number> };
  oauth_redirect_uris: { client_id: string; uri: string; created_at: number };
  authorization_codes: {
    code_hash: string;
    client_id: string;
    user_id: string;
    redirect_uri: string;
    audience: string;
    scopes: string;
    expires_at: number;
    created_at: number;
  };
  oauth_service_accounts: { client_id: string; account_id: string; public_jwk: string; created_at: number };
  upload_sessions: {
    id: string;
    draft_id: string;
    name: string;
    content_type: string | null;
    content_id: string | null;
    is_inline: number;
    size: number;
    received: number;
    chunks: number;
    expires_at: number;
    created_at: number;
    user_id: string;
    client_id: string | null;
  };
  /** Message and file bytes: every blob on PostgreSQL (BYTEA, read through pg directly); small ones on SQLite (migration 0022). */
  blobs: { key: string; data: Buffer; created_at: number };
  /** PostgreSQL only: the pieces of streamed blobs (migration 0008); SQLite streams to files. */
  blob_pieces: { key: string; seq: number; data: Buffer };
}
