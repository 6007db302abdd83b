import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Marks a sealed value; a phone number never starts with it, so plain values (no key) read as they are. */
const PREFIX = 'gcm1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;

export class DataKeyError extends Error {
  override name = 'DataKeyError';
}

/**
 * Encryption at rest for single columns (the callback number): AES-256-GCM under DATA_KEY, a fresh
 * random IV per value, and the row's identity as associated data, so a sealed value copied into another
 * row does not open. Without a key values are stored as given. A sealed value read without the key (or
 * with another key) throws DataKeyError rather than passing ciphertext on as a phone number.
 */
export interface FieldCipher {
  readonly sealing: boolean;
  seal(plain: string, rowId: string): string;
  open(stored: string, rowId: string): string;
}

export function fieldCipher(key?: Buffer): FieldCipher {
  if (key !== undefined && key.length !== DATA_KEY_BYTES) {
    throw new DataKeyError(`DATA_KEY must be ${DATA_KEY_BYTES} bytes, got ${key.length}`);
  }
  return {
    sealing: key !== undefined,
    seal(plain, rowId) {
      if (!key) return plain;
      const iv = randomBytes(IV_BYTES);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(Buffer.from(rowId, 'utf8'));
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return PREFIX + Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url');
    },
    open(stored, rowId) {
      if (!stored.startsWith(PREFIX)) return stored; // written before DATA_KEY was set
      if (!key) throw new DataKeyError('a sealed value was read, but DATA_KEY is not set');
      const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new DataKeyError('sealed value is truncated');
      const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      d.setAAD(Buffer.from(rowId, 'utf8'));
      d.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([d.update(raw.subarray(IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8');
      } catch {
        throw new DataKeyError('a sealed value does not open with DATA_KEY (another key, or altered)');
      }
    },
  };
}

/**
 * DATA_KEY as configured: 32 random bytes, written as 64 hex digits or as base64 (`openssl rand
 * -base64 32`). Anything else is refused, so a typo or a passphrase never becomes a weak key.
 */
export function parseDataKey(text: string): Buffer {
  const t = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/]{43}=$/.test(t)) key = Buffer.from(t, 'base64');
  if (!key || key.length !== DATA_KEY_BYTES) {
    throw new DataKeyError('must be 32 random bytes as 64 hex digits or base64 (openssl rand -base64 32)');
  }
  if (key.every((b) => b === key[0])) throw new DataKeyError('must be random bytes, not one byte repeated');
  return key;
}
