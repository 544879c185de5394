/**
 * LINE WORKS send requests (the LINE WORKS Send mail page (docs/vendor-apis.md#sending)) ⇄ the internal Submission; pure. Fields are checked here
 * under their wire names, so every error names the field the client sent.
 */
import { decodeBase64Strict } from '../../core/base64.js';
import { MailgateError } from '../../core/errors.js';
import { isObject, optionalBoolean, optionalString, requiredString, type JsonObject } from '../../core/json-fields.js';
import type { AttachmentInput, ComposeContent, MailAddress, Submission } from '../../core/message.js';
import { assertAddress, assertHeaderText } from '../../core/validate.js';
import type { UserRecord } from '../../core/storage/store.js';
import { SECURITY_LEVELS, type SecurityLevel } from './schemas.js';

/** the LINE WORKS Send mail page (docs/vendor-apis.md#sending): "An email subject can be up to 180 characters in length; … the excess characters are ignored." */
export const MAX_SUBJECT_CHARS = 180;
/** the LINE WORKS Send mail page (docs/vendor-apis.md#sending): `filename` maxLength 250. */
const MAX_FILENAME_CHARS = 250;
/** The header that carries `securityLevel` to recipients (and back to mailgate's own mailbox views). */
export const SECURITY_LEVEL_HEADER = 'X-Works-Security-Level';

/** A checked the LINE WORKS Send mail page (docs/vendor-apis.md#sending) request. */
export interface WorksSendRequest {
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  subject: string;
  body: string;
  html: boolean;
  userName: string | undefined;
  isSaveSentMail: boolean;
  isSaveTracking: boolean;
  isSendSeparately: boolean;
  securityLevel: SecurityLevel;
  attachments: AttachmentInput[];
}

/** Cuts to `max` characters (code points, so a multi-byte or astral character is never split). */
export function cutChars(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max).join('');
}

/**
 * A `;`-separated address list: spaces trimmed, empty entries (`a@x; ;b@x;`) ignored. Only the
 * form of each address is checked (the LINE WORKS Send mail page (docs/vendor-apis.md#sending)); whether it can receive mail shows in delivery.
 */
export function addressList(value: string, field: string): MailAddress[] {
  return value
    .split(';')
    .map((a) => a.trim())
    .filter(Boolean)
    .map((address) => {
      try {
        return { address: assertAddress(address, field) };
      } catch (error) {
        if (error instanceof MailgateError && error.code !== 'internal') {
          throw new MailgateError('invalid_address', `${field}: '${address}' is not a valid email address`, field);
        }
        throw error;
      }
    });
}

function optionalList(body: JsonObject, key: 'cc' | 'bcc'): MailAddress[] {
  const value = body[key] === null ? undefined : optionalString(body, key, key);
  return value === undefined ? [] : addressList(value, key);
}

function attachmentAt(value: unknown, field: string, maxBytes: number): AttachmentInput {
  if (!isObject(value)) throw new MailgateError('invalid_type', `${field} must be an object`, field);
  const filename = requiredString(value, 'filename', `${field}.filename`);
  if (filename === '') throw new MailgateError('field_blank', `${field}.filename is empty`, `${field}.filename`);
  if (Array.from(filename).length > MAX_FILENAME_CHARS) {
    throw new MailgateError('invalid_value', `${field}.filename is longer than ${MAX_FILENAME_CHARS} characters`, `${field}.filename`);
  }
  const data = requiredString(value, 'data', `${field}.data`);
  if (data.trim() === '') throw new MailgateError('field_blank', `${field}.data is empty`, `${field}.data`);
  // Refused before decoding: base64 carries 3 bytes per 4 characters.
  if (Math.floor((data.length * 3) / 4) > maxBytes + 3) {
    throw new MailgateError('too_large', `${field}.data is larger than the ${maxBytes}-byte limit per file`, `${field}.data`);
  }
  const content = decodeBase64Strict(data, `${field}.data`);
  if (content.length > maxBytes) {
    throw new MailgateError('too_large', `${field}.data is ${content.length} bytes, over the ${maxBytes}-byte limit per file`, `${field}.data`);
  }
  const attachment: AttachmentInput = { filename, content, inline: optionalBoolean(value, 'inline', `${field}.inline`) ?? false };
  const fileType = optionalString(value, 'fileType', `${field}.fileType`);
  if (fileType !== undefined && fileType.trim() !== '') attachment.contentType = fileType;
  const cid = optionalString(value, 'cid', `${field}.cid`);
  if (cid !== undefined && cid.trim() !== '') attachment.contentId = cid.trim();
  // An inline image is found by its Content-ID alone (the LINE WORKS Send mail page (docs/vendor-apis.md#sending): `cid` "must be added when attaching an inline image").
  if (attachment.inline && attachment.contentId === undefined) {
    throw new MailgateError('field_required', `${field}.cid is required for an inline image`, `${field}.cid`);
  }
  return attachment;
}

/** Checks a the LINE WORKS Send mail page (docs/vendor-apis.md#sending) body; `attachmentMaxBytes` is the per-file limit. */
export function sendRequestOf(body: JsonObject, limits: { attachmentMaxBytes: number }): WorksSendRequest {
  const to = body.to === null ? undefined : optionalString(body, 'to', 'to');
  if (to === undefined) throw new MailgateError('field_required', 'to is required', 'to');
  const toList = addressList(to, 'to');
  if (toList.length === 0) throw new MailgateError('field_blank', 'to needs at least one address', 'to');
  const subject = body.subject === null ? undefined : optionalString(body, 'subject', 'subject');
  if (subject === undefined) throw new MailgateError('field_required', 'subject is required', 'subject');
  if (subject === '') throw new MailgateError('field_blank', 'subject is empty', 'subject');
  const contentType = (optionalString(body, 'contentType', 'contentType') ?? 'html').trim().toLowerCase();
  if (contentType !== 'html' && contentType !== 'text') throw new MailgateError('invalid_value', 'contentType must be html or text', 'contentType');
  const level = optionalString(body, 'securityLevel', 'securityLevel') ?? 'General';
  const securityLevel = SECURITY_LEVELS.find((l) => l.toLowerCase() === level.trim().toLowerCase());
  if (!securityLevel) throw new MailgateError('invalid_value', `securityLevel must be one of ${SECURITY_LEVELS.join(', ')}`, 'securityLevel');
  const userName = optionalString(body, 'userName', 'userName');
  const attachments = body.attachments === undefined || body.attachments === null ? [] : body.attachments;
  if (!Array.isArray(attachments)) throw new MailgateError('invalid_type', 'attachments must be an array', 'attachments');
  return {
    to: toList,
    cc: optionalList(body, 'cc'),
    bcc: optionalList(body, 'bcc'),
    subject: assertHeaderText(cutChars(subject, MAX_SUBJECT_CHARS), 'subject'),
    body: (body.body === null ? undefined : optionalString(body, 'body', 'body')) ?? '',
    html: contentType === 'html',
    userName: userName === undefined || userName.trim() === '' ? undefined : assertHeaderText(userName, 'userName').trim(),
    isSaveSentMail: optionalBoolean(body, 'isSaveSentMail', 'isSaveSentMail') ?? true,
    isSaveTracking: optionalBoolean(body, 'isSaveTracking', 'isSaveTracking') ?? true,
    isSendSeparately: optionalBoolean(body, 'isSendSeparately', 'isSendSeparately') ?? false,
    securityLevel,
    attachments: attachments.map((a, i) => attachmentAt(a, `attachments[${i}]`, limits.attachmentMaxBytes)),
  };
}

function compose(request: WorksSendRequest, user: UserRecord, recipients: Pick<ComposeContent, 'to' | 'cc' | 'bcc'>): ComposeContent {
  const name = request.userName ?? user.name ?? undefined;
  const mail: ComposeContent = {
    from: name ? { address: user.email, name } : { address: user.email },
    ...recipients,
    replyTo: [],
    subject: request.subject,
    attachments: request.attachments,
    headers: [{ name: SECURITY_LEVEL_HEADER, value: request.securityLevel }],
  };
  if (request.html) mail.html = request.body;
  else mail.text = request.body;
  return mail;
}

/**
 * The messages a request sends. `isSendSeparately` ("an individual message to each recipient"):
 * every recipient gets one message naming only them, in the field the client put them in (a Bcc
 * recipient is named in no header), so nobody sees another recipient and nobody gets two copies.
 */
export function worksMessages(request: WorksSendRequest, user: UserRecord): ComposeContent[] {
  if (!request.isSendSeparately) return [compose(request, user, { to: request.to, cc: request.cc, bcc: request.bcc })];
  return [
    ...request.to.map((a) => compose(request, user, { to: [a], cc: [], bcc: [] })),
    ...request.cc.map((a) => compose(request, user, { to: [], cc: [a], bcc: [] })),
    ...request.bcc.map((a) => compose(request, user, { to: [], cc: [], bcc: [a] })),
  ];
}

/** The submission of one composed Works message; the request's options are kept with the message record. */
export function worksSubmission(mail: ComposeContent, user: UserRecord, request: WorksSendRequest): Submission {
  return {
    source: 'works',
    principal: { userId: user.id, email: user.email },
    content: { kind: 'compose', mail },
    meta: {
      works: {
        securityLevel: request.securityLevel,
        saveTracking: request.isSaveTracking,
        sendSeparately: request.isSendSeparately,
      },
    },
  };
}
