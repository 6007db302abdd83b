import { randomBytes } from 'node:crypto';
import twilio from 'twilio';

/** X-Twilio-Signature for `url` and form `params`, as Twilio computes it (the official helper). */
export function twilioSignature(authToken: string, url: string, params: Record<string, string> = {}): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/** A Twilio-shaped SID: two letters and 32 hex digits. */
export function newSid(prefix: 'CA' | 'MZ' | 'AC'): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

/** POSTs a signed form webhook and returns the status and body. */
export async function postSignedWebhook(
  authToken: string,
  url: string,
  params: Record<string, string>,
  opts: { signatureUrl?: string; token?: string } = {},
): Promise<{ status: number; body: string }> {
  const signature = twilioSignature(opts.token ?? authToken, opts.signatureUrl ?? url, params);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: await res.text() };
}
