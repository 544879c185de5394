/** Table shapes shared by every SQL backend (column names as stored). */
import type { Generated } from 'kysely';

export interface Database {
  users: { id: string; email: string; name: string | null; roles: string; created_at: number };
  delegations: { user_id: string; address: string };
  api_apps: { app_id: string; app_key_enc: string; name: string; created_at: number };
  api_keys: {
    access_key: string;
    secret_key_enc: string;
    app_id: string;
    user_id: string;
    expires_at: number | null;
    created_at: number;
  };
  request_ids: { id: string; seen_at: number };
  dkim_keys: {
    domain: string;
    selector: string;
    algorithm: string;
    private_key_enc: string;
    public_key: string;
    created_at: number;
  };
  files: { id: string; user_id: string; size: number; sha256: string; blob_key: string; created_at: number };
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
  };
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
  };
}
