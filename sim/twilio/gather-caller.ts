import { pcmDurationMs } from '../../src/audio/pcm.js';
import { fixtureClip } from '../caller/caller.js';
import type { CallerLine } from '../caller/script.js';
import { readTwiml, type TwimlVerb } from './twiml-reader.js';

export interface GatherConversationOptions {
  /** The TwiML the voice webhook returned. */
  first: TwimlVerb[];
  script: CallerLine[];
  /** Call parameters sent with every webhook (CallSid, From, To…). */
  params: Record<string, string>;
  /** POSTs a signed webhook to `url` and returns the TwiML text. */
  post: (url: string, params: Record<string, string>) => Promise<string>;
  /** 1 = real time; smaller plays Polly's speech and the caller's faster (tests). */
  timeScale: number;
  /** Polly's speaking rate, characters per second of real time. */
  sayCharsPerSecond?: number;
  clipFor?: (line: CallerLine) => Buffer;
}

export interface GatherTurn {
  line: string;
  /** From the end of the caller's speech to Twilio having the next words to say. */
  turnMs: number;
}

export interface GatherConversationResult {
  /** Every <Say> the caller heard, in order. */
  heard: string[];
  /** Recognition languages and voices used per <Gather>/<Say>. */
  languages: string[];
  voices: string[];
  turns: GatherTurn[];
  end: 'hangup' | 'dial' | 'no-more-verbs' | 'too-many-rounds';
  dialed?: string;
  completed: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const MAX_ROUNDS = 200;
/** <Gather timeout> default: seconds of silence before Twilio gives up on speech. */
const GATHER_TIMEOUT_S = 5;

/**
 * The Free tier as Twilio runs it: read each <Say> out (taking the time speech takes), listen during
 * <Gather>, recognise the caller perfectly (SpeechResult is the script line) and POST the action;
 * follow <Pause>, <Redirect>, <Dial> and <Hangup>.
 */
export async function runGatherConversation(
  opts: GatherConversationOptions,
): Promise<GatherConversationResult> {
  const clipFor = opts.clipFor ?? ((l: CallerLine) => fixtureClip(l));
  const cps = opts.sayCharsPerSecond ?? 15;
  const heard: string[] = [];
  const languages: string[] = [];
  const voices: string[] = [];
  const turns: GatherTurn[] = [];
  let next = 0;
  let verbs = opts.first;
  const speak = async (text: string) => {
    heard.push(text);
    await sleep((text.length / cps) * 1000 * opts.timeScale);
  };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let jumped = false;
    for (const v of verbs) {
      if (v.verb === 'Say') {
        voices.push(v.say.voice);
        await speak(v.say.text);
      } else if (v.verb === 'Pause') {
        await sleep(v.seconds * 1000 * opts.timeScale);
      } else if (v.verb === 'Dial') {
        return {
          heard,
          languages,
          voices,
          turns,
          end: 'dial',
          dialed: v.number,
          completed: next === opts.script.length,
        };
      } else if (v.verb === 'Hangup') {
        return { heard, languages, voices, turns, end: 'hangup', completed: next === opts.script.length };
      } else if (v.verb === 'Redirect') {
        verbs = readTwiml(await opts.post(v.url, opts.params));
        jumped = true;
        break;
      } else if (v.verb === 'Gather') {
        languages.push(v.language);
        if (v.say) {
          voices.push(v.say.voice);
          await speak(v.say.text);
        }
        const line = opts.script[next];
        const params = { ...opts.params };
        if (line) {
          next++;
          await sleep(pcmDurationMs(clipFor(line).length, 8000) * opts.timeScale);
          params.SpeechResult = line.text;
          params.Confidence = '0.92';
        } else {
          await sleep(GATHER_TIMEOUT_S * 1000 * opts.timeScale);
        }
        const postedAt = performance.now();
        verbs = readTwiml(await opts.post(v.action, params));
        if (line) turns.push({ line: line.text, turnMs: performance.now() - postedAt });
        jumped = true;
        break;
      }
    }
    if (!jumped) {
      return {
        heard,
        languages,
        voices,
        turns,
        end: 'no-more-verbs',
        completed: next === opts.script.length,
      };
    }
  }
  return { heard, languages, voices, turns, end: 'too-many-rounds', completed: false };
}
