/** Graph's `recipient` / `emailAddress` objects, checked under their wire field names. */
import { MailgateError } from '../../core/errors.js';
import { isObject, objectAt, optionalString } from '../../core/json-fields.js';
import type { MailAddress } from '../../core/message.js';
import { assertAddress, assertHeaderText } from '../../core/validate.js';

/** `{ emailAddress: { address, name } }` at `field`; the name is optional and trimmed. */
export function recipientAt(value: unknown, field: string): MailAddress {
  if (!isObject(value)) throw new MailgateError('invalid_type', `${field} must be a recipient object`, field);
  const email = objectAt(value, 'emailAddress', `${field}.emailAddress`);
  if (!email) throw new MailgateError('invalid_address', `${field}.emailAddress is required`, `${field}.emailAddress`);
  const addressField = `${field}.emailAddress.address`;
  const given = optionalString(email, 'address', addressField);
  if (given === undefined) throw new MailgateError('invalid_address', `${addressField} is required`, addressField);
  const address = assertAddress(given, addressField);
  const name = optionalString(email, 'name', `${field}.emailAddress.name`);
  if (name === undefined || name.trim() === '') return { address };
  return { address, name: assertHeaderText(name, `${field}.emailAddress.name`).trim() };
}
