import twilio from 'twilio';

/**
 * Checks X-Twilio-Signature with the official helper: HMAC-SHA1 of the URL Twilio requested plus the
 * sorted form parameters, keyed with the account's auth token. The WebSocket upgrade is signed over
 * the stream URL with no parameters.
 */
export function isValidTwilioSignature(
  authToken: string,
  signature: string | string[] | undefined,
  url: string,
  params: Record<string, string>,
): boolean {
  if (!authToken || typeof signature !== 'string' || signature.length === 0 || signature.length > 128) {
    return false;
  }
  return twilio.validateRequest(authToken, signature, url, params);
}
