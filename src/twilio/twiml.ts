import { parsePhoneNumberFromString } from 'libphonenumber-js';
import twilio from 'twilio';
import type { Language } from '../../machines/call.types.js';

const { VoiceResponse } = twilio.twiml;

/** Amazon Polly voices for the Free tier, and the matching recognition language for <Gather>. */
export const POLLY: Record<
  Language,
  { voice: 'Polly.Amy-Neural' | 'Polly.Lucia-Neural'; language: 'en-GB' | 'es-ES' }
> = {
  en: { voice: 'Polly.Amy-Neural', language: 'en-GB' },
  es: { voice: 'Polly.Lucia-Neural', language: 'es-ES' },
};

/** Pro and Enterprise: hand the call to our Media Streams WebSocket, with per-call parameters. */
export function streamTwiml(streamUrl: string, parameters: Record<string, string>): string {
  const response = new VoiceResponse();
  const stream = response.connect().stream({ url: streamUrl });
  for (const [name, value] of Object.entries(parameters)) stream.parameter({ name, value });
  return response.toString();
}

/**
 * Free tier, one turn: say `text` (if any) while listening for speech. With no speech Twilio posts
 * the action anyway (actionOnEmptyResult), so the call's own deadlines decide what silence means.
 */
export function gatherTwiml(opts: { text?: string; language: Language; action: string }): string {
  const polly = POLLY[opts.language];
  const response = new VoiceResponse();
  const gather = response.gather({
    input: ['speech'],
    action: opts.action,
    method: 'POST',
    language: polly.language,
    speechTimeout: 'auto',
    actionOnEmptyResult: true,
  });
  if (opts.text) gather.say({ voice: polly.voice, language: polly.language }, opts.text);
  return response.toString();
}

/** Free tier, last words: say `text`, then hang up or dial `dialTo`. */
export function finalTwiml(opts: { text?: string; language: Language; dialTo?: string }): string {
  const polly = POLLY[opts.language];
  const response = new VoiceResponse();
  if (opts.text) response.say({ voice: polly.voice, language: polly.language }, opts.text);
  if (opts.dialTo) response.dial(opts.dialTo);
  else response.hangup();
  return response.toString();
}

/** A turn that is still being worked out: come back in a second (Twilio gives a webhook 15 s). */
export function pollTwiml(action: string): string {
  const response = new VoiceResponse();
  response.pause({ length: 1 });
  response.redirect({ method: 'POST' }, action);
  return response.toString();
}

/** Live-call transfer (REST update): dial the person, nothing else. */
export function dialTwiml(to: string): string {
  const response = new VoiceResponse();
  response.dial(to);
  return response.toString();
}

/** A tenant's transfer number in E.164 for <Dial> (a national "02079460999" is taken as UK). */
export function dialNumber(number: string): string {
  return parsePhoneNumberFromString(number, 'GB')?.number ?? number.replace(/[^\d+]/g, '');
}
