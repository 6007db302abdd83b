import twilio from 'twilio';
import { dialNumber, dialTwiml } from './twiml.js';

export interface RestTransferOptions {
  accountSid: string;
  authToken: string;
  /** https://api.twilio.com, or a simulator. */
  apiBaseUrl: string;
  timeoutMs?: number;
}

/**
 * Live-call transfer through Twilio's REST API with the official client: the call's TwiML is replaced
 * by <Dial>, which ends its Media Stream and rings the person.
 */
export function restTransfer(opts: RestTransferOptions): (callSid: string, to: string) => Promise<void> {
  const client = twilio(opts.accountSid, opts.authToken, {
    timeout: opts.timeoutMs ?? 5000,
    autoRetry: false,
  });
  // The client has no base-URL option; the API domain's baseUrl is what its requests are built on.
  client.api.baseUrl = opts.apiBaseUrl.replace(/\/+$/, '');
  return async (callSid, to) => {
    await client.calls(callSid).update({ twiml: dialTwiml(dialNumber(to)) });
  };
}
