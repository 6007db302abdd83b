import type { HistoryEntry, Language, Step } from '../../machines/call.types.js';
import { recoveryLine } from '../../machines/phrases.js';
import { buildWav } from '../audio/wav.js';
import { readWav } from '../audio/wav-reader.js';
import { EMOTION } from '../call/call-line.js';
import { timeOfDay } from '../call/greeting.js';
import { STT_LANGUAGE } from '../call/stt-actor.js';
import type { Logger } from '../log.js';
import type { LlmClient } from '../providers/llm/types.js';
import type { PrerecordedOptions, PrerecordedStt } from '../providers/stt/prerecorded.js';
import type { BytesSynth } from '../providers/tts/bytes-synth.js';
import type { TtsVoice } from '../providers/tts/types.js';
import type { Tenant } from '../store/types.js';
import { oneShotReply } from './one-shot-reply.js';
import type { RespondRequest, RespondResult } from './respond-types.js';
import { StreamedSynthesis } from './streamed-synthesis.js';
import type { TenantLookup } from './tenant-lookup.js';

export interface RespondDeps {
  stt: PrerecordedStt;
  sttOptions: Omit<PrerecordedOptions, 'language'>;
  /** DEEPGRAM_LANGUAGE: a code, 'multi', or 'auto' (follow the reply language). */
  sttLanguage: string;
  llm: LlmClient;
  llmOptions: { maxTokens: number; temperature: number };
  tts: BytesSynth;
  ttsModelId: string;
  defaultVoices: Record<Language, string>;
  tenants: TenantLookup;
  log: Logger;
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

/**
 * One utterance in, the agent's spoken answer out: pre-recorded STT, the call's reply logic at the
 * `understand` step (one completion, or two when the first only records details), then synthesis in
 * the tenant's voice with the step's emotion, started on the first sentence. Throws WavFormatError
 * for an unusable recording and UnknownTenantError for an unknown tenant.
 */
export async function respond(req: RespondRequest, deps: RespondDeps): Promise<RespondResult> {
  const t0 = performance.now();
  const input = readWav(req.wav);
  const tenant = await deps.tenants(req.tenant);
  const language = req.language ?? tenant.language;
  const log = deps.log.child({ tenant: tenant.id, component: 'respond' });

  const transcript = await deps.stt.transcribe(
    req.wav,
    {
      ...deps.sttOptions,
      language: deps.sttLanguage === 'auto' ? STT_LANGUAGE[language] : deps.sttLanguage,
    },
    req.signal,
  );
  const sttDoneAt = performance.now();

  const facts = {
    companyName: tenant.companyName,
    trade: tenant.trade,
    tradeLabel: tenant.tradeLabel,
    calloutFee: tenant.calloutFee,
    area: tenant.area,
    isRepeatCaller: false,
    timeOfDay: timeOfDay(tenant.timeZone),
  };
  const sampleRate = input.format.sampleRate as 8000 | 16000;
  let step: Step = 'understand';
  let replyLanguage: Language = language;
  const synthesis = new StreamedSynthesis((text) =>
    deps.tts.synthesize({
      text,
      voice: voiceFor(tenant, deps.defaultVoices, replyLanguage, step),
      modelId: deps.ttsModelId,
      sampleRate,
      ...(req.signal ? { signal: req.signal } : {}),
    }),
  );

  let reply: string;
  let llm: { provider: string | null; rounds: number; firstTokenMs: number | null } = {
    provider: null,
    rounds: 0,
    firstTokenMs: null,
  };
  if (transcript.text === '') {
    // Nothing was said: the call would re-prompt after its silence deadline; say the same line.
    reply = recoveryLine('reprompt', step, facts, {}, language);
    synthesis.push(reply);
  } else {
    const history: HistoryEntry[] = [...(req.history ?? []), { role: 'caller', text: transcript.text }];
    const out = await oneShotReply(
      { facts, state: { step, slots: {}, language }, history, ...(req.signal ? { signal: req.signal } : {}) },
      { llm: deps.llm, llmOptions: deps.llmOptions, log },
      (delta, state) => {
        step = state.step;
        replyLanguage = state.language;
        synthesis.push(delta);
      },
    );
    reply = out.text.trim();
    llm = { provider: out.provider, rounds: out.rounds, firstTokenMs: out.firstTokenMs ?? null };
    step = out.state.step;
    replyLanguage = out.state.language;
  }
  const llmDoneAt = performance.now();
  const audio = await synthesis.finish();
  const doneAt = performance.now();

  const wav = buildWav(audio.pcm, { sampleRate, channels: 1 });
  const result: RespondResult = {
    wav,
    sampleRate,
    audioMs: round1((audio.pcm.length / 2 / sampleRate) * 1000),
    transcript: transcript.text,
    reply,
    tenantId: tenant.id,
    language: replyLanguage,
    step,
    llmProvider: llm.provider,
    llmRounds: llm.rounds,
    ttsRequests: audio.requests,
    timings: {
      sttMs: round1(sttDoneAt - t0),
      llmFirstTokenMs: llm.firstTokenMs === null ? null : round1(llm.firstTokenMs),
      llmTotalMs: round1(llmDoneAt - sttDoneAt),
      ttsFirstByteMs: round1(audio.firstByteMs),
      ttsTotalMs: round1(audio.doneAt - audio.startedAt),
      totalMs: round1(doneAt - t0),
      streamingSavedMs: round1(Math.max(0, llmDoneAt - audio.startedAt)),
    },
  };
  log.info(
    { step, rounds: llm.rounds, provider: llm.provider, audioMs: result.audioMs, ...result.timings },
    'one-shot reply',
  );
  return result;
}

/** The tenant's voice for the language, with the step's emotion, as in a call. */
export function voiceFor(
  tenant: Tenant,
  defaults: Record<Language, string>,
  language: Language,
  step: Step,
): TtsVoice {
  return {
    voiceId: tenant.voiceIds[language] || defaults[language],
    language,
    emotion: EMOTION[step] ?? 'calm',
  };
}
