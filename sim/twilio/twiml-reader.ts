/**
 * Reads the TwiML callchart returns, as Twilio would follow it. A small reader for the verbs we use
 * (no XML parser is installed, and TwiML from the official builder is one flat, well-formed line):
 * Connect/Stream/Parameter, Gather/Say, Say, Pause, Redirect, Dial, Hangup.
 */
export type TwimlVerb =
  | { verb: 'Stream'; url: string; parameters: Record<string, string> }
  | { verb: 'Gather'; action: string; language: string; input: string; say?: Say }
  | { verb: 'Say'; say: Say }
  | { verb: 'Pause'; seconds: number }
  | { verb: 'Redirect'; url: string }
  | { verb: 'Dial'; number: string }
  | { verb: 'Hangup' };

export interface Say {
  voice: string;
  language: string;
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const xmlText = (s: string) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_m, e: string) => ENTITIES[e] ?? '');

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([A-Za-z]+)="([^"]*)"/g)) out[m[1]!] = xmlText(m[2]!);
  return out;
}

function readSay(xml: string): Say | undefined {
  const m = /<Say([^>]*)>([\s\S]*?)<\/Say>/.exec(xml);
  if (!m) return undefined;
  const a = attributes(m[1]!);
  return { voice: a.voice ?? '', language: a.language ?? '', text: xmlText(m[2]!) };
}

/** The verbs of a <Response>, in order. Throws on anything that is not TwiML. */
export function readTwiml(xml: string): TwimlVerb[] {
  const body = /<Response>([\s\S]*)<\/Response>|<Response\/>/.exec(xml);
  if (!body) throw new Error(`not TwiML: ${xml.slice(0, 80)}`);
  const inner = body[1] ?? '';
  const verbs: TwimlVerb[] = [];
  const top = /<(Connect|Gather|Say|Pause|Redirect|Dial|Hangup)\b([^>]*?)(\/>|>([\s\S]*?)<\/\1>)/g;
  for (const m of inner.matchAll(top)) {
    const [, name, attrText, , content = ''] = m;
    const a = attributes(attrText ?? '');
    switch (name) {
      case 'Connect': {
        const stream = /<Stream([^>]*?)(\/>|>([\s\S]*?)<\/Stream>)/.exec(content);
        if (!stream) throw new Error('Connect without Stream');
        const parameters: Record<string, string> = {};
        for (const p of (stream[3] ?? '').matchAll(/<Parameter([^>]*)\/>/g)) {
          const pa = attributes(p[1]!);
          if (pa.name !== undefined) parameters[pa.name] = pa.value ?? '';
        }
        verbs.push({ verb: 'Stream', url: attributes(stream[1]!).url ?? '', parameters });
        break;
      }
      case 'Gather': {
        const say = readSay(content);
        verbs.push({
          verb: 'Gather',
          action: a.action ?? '',
          language: a.language ?? 'en-US',
          input: a.input ?? 'dtmf',
          ...(say ? { say } : {}),
        });
        break;
      }
      case 'Say':
        verbs.push({
          verb: 'Say',
          say: { voice: a.voice ?? '', language: a.language ?? '', text: xmlText(content) },
        });
        break;
      case 'Pause':
        verbs.push({ verb: 'Pause', seconds: Number(a.length ?? 1) });
        break;
      case 'Redirect':
        verbs.push({ verb: 'Redirect', url: xmlText(content) });
        break;
      case 'Dial':
        verbs.push({ verb: 'Dial', number: xmlText(content) });
        break;
      case 'Hangup':
        verbs.push({ verb: 'Hangup' });
        break;
    }
  }
  return verbs;
}
