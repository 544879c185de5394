/** Mimecast send-email items ⇄ the internal Submission; pure apart from the file lookup it is given. */
import { MailgateError } from '../../core/errors.js';
import { arrayAt, isObject, objectAt, optionalString, requiredString, type JsonObject } from '../../core/json-fields.js';
import type { AttachmentInput, ComposeContent, HeaderField, MailAddress, Submission } from '../../core/message.js';
import type { UserRecord } from '../../core/storage/store.js';

/** Resolves an uploaded file id to its bytes, or undefined when the caller has no such file. */
export type FileResolver = (id: string) => Promise<Buffer | undefined>;

/** the Send Email page (docs/vendor-apis.md#send-email-and-file-upload): "If not set the API will automatically set the file name to 'Mail Attachment'". */
const DEFAULT_ATTACHMENT_NAME = 'Mail Attachment';

type Item = JsonObject;

function addressAt(value: unknown, field: string): MailAddress {
  if (!isObject(value)) throw new MailgateError('invalid_type', `${field} must be an object`, field);
  const address = requiredString(value, 'emailAddress', `${field}.emailAddress`);
  if (address.trim() === '') throw new MailgateError('field_blank', `${field}.emailAddress is blank`, `${field}.emailAddress`);
  const name = optionalString(value, 'displayableName', `${field}.displayableName`);
  return name ? { address, name } : { address };
}

function recipients(item: Item, key: string): MailAddress[] {
  return arrayAt(item, key, key).map((r, i) => addressAt(r, `${key}[${i}]`));
}

async function fileContent(id: string, field: string, files: FileResolver): Promise<Buffer> {
  const content = await files(id);
  if (!content) throw new MailgateError('unknown_file', `No uploaded file with id ${id}`, field);
  return content;
}

/** The seed's sample sends both `id` and `content`; the uploaded file, being the recommended form, wins. */
async function bodyAt(item: Item, key: string, files: FileResolver): Promise<string | undefined> {
  const body = objectAt(item, key, key);
  if (!body) return undefined;
  const id = optionalString(body, 'id', `${key}.id`);
  if (id) return (await fileContent(id, `${key}.id`, files)).toString('utf8');
  return optionalString(body, 'content', `${key}.content`);
}

async function attachmentsAt(item: Item, files: FileResolver): Promise<AttachmentInput[]> {
  const list = arrayAt(item, 'attachments', 'attachments');
  const result: AttachmentInput[] = [];
  for (const [i, entry] of list.entries()) {
    const field = `attachments[${i}]`;
    if (!isObject(entry)) throw new MailgateError('invalid_type', `${field} must be an object`, field);
    const id = requiredString(entry, 'id', `${field}.id`);
    const filename = optionalString(entry, 'filename', `${field}.filename`);
    result.push({
      filename: filename && filename.trim() !== '' ? filename : DEFAULT_ATTACHMENT_NAME,
      content: await fileContent(id, `${field}.id`, files),
    });
  }
  return result;
}

function headersAt(item: Item): HeaderField[] {
  return arrayAt(item, 'extraHeaders', 'extraHeaders').map((h, i) => {
    const field = `extraHeaders[${i}]`;
    if (!isObject(h)) throw new MailgateError('invalid_type', `${field} must be an object`, field);
    return { name: requiredString(h, 'name', `${field}.name`), value: requiredString(h, 'value', `${field}.value`) };
  });
}

/** the Send Email page (docs/vendor-apis.md#send-email-and-file-upload): `from` defaults to the authorised user; ingest() decides whether the user may use it. */
function senderFor(item: Item, user: UserRecord): MailAddress {
  const given = objectAt(item, 'from', 'from');
  if (!given) return user.name ? { address: user.email, name: user.name } : { address: user.email };
  return addressAt(given, 'from');
}

const VENDOR_FIELDS: Array<[RegExp, string]> = [
  [/^(to|cc|bcc)(\[\d+\])\.address$/, '$1$2.emailAddress'],
  [/^(to|cc|bcc)(\[\d+\])\.name$/, '$1$2.displayableName'],
  [/^from\.address$/, 'from.emailAddress'],
  [/^from\.name$/, 'from.displayableName'],
  [/^headers(\[\d+\])\.(name|value)$/, 'extraHeaders$1.$2'],
  [/^text$/, 'plainBody.content'],
  [/^html$/, 'htmlBody.content'],
];

/** Core validation names fields by the internal shape; Mimecast clients know them by the wire names. */
export function vendorError(error: MailgateError): MailgateError {
  const field = error.field;
  if (field === undefined) return error;
  for (const [pattern, replacement] of VENDOR_FIELDS) {
    if (pattern.test(field)) return new MailgateError(error.code, error.message, field.replace(pattern, replacement));
  }
  return error;
}

export async function sendEmailSubmission(
  item: unknown,
  user: UserRecord,
  files: FileResolver,
): Promise<Submission> {
  if (!isObject(item)) throw new MailgateError('invalid_type', 'each data item must be an object', 'data');
  if (item.to === undefined) throw new MailgateError('field_required', 'to is required', 'to');
  const subject = requiredString(item, 'subject', 'subject');
  const mail: ComposeContent = {
    from: senderFor(item, user),
    to: recipients(item, 'to'),
    cc: recipients(item, 'cc'),
    bcc: recipients(item, 'bcc'),
    replyTo: [],
    subject,
    attachments: await attachmentsAt(item, files),
    headers: headersAt(item),
  };
  if (mail.to.length === 0) throw new MailgateError('field_blank', 'to needs at least one recipient', 'to');
  const html = await bodyAt(item, 'htmlBody', files);
  const text = await bodyAt(item, 'plainBody', files);
  if (html !== undefined) mail.html = html;
  if (text !== undefined) mail.text = text;
  return { source: 'mimecast', principal: { userId: user.id, email: user.email }, content: { kind: 'compose', mail } };
}
