/** The 36-character form AudioSocket() requires (any version; docs/protocols/audiosocket.md §8.1). */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isCanonicalUuid(value: string): boolean {
  return CANONICAL_UUID.test(value);
}

/** Registry keys are lower case: the AudioSocket side renders the 16 UUID bytes as lower-case hex. */
export function uuidKey(value: string): string {
  return value.toLowerCase();
}
