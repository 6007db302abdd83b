import type { AdmissionVerdict } from '../admission/admission.js';
import type { CallMetadataRegistry } from '../agi/call-metadata-registry.js';
import type { CallOutcomeRegistry } from '../agi/call-outcome-registry.js';
import { type FastAgiServer, type FastAgiServerOptions, startFastAgiServer } from '../agi/fastagi-server.js';
import type { CallDeps, CallSummary } from '../call/call-session.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { type AudioSocketServer, startAudioSocketServer } from '../transports/audiosocket/server.js';
import { startTwilioFromConfig, type TwilioOverrides } from '../twilio/start-twilio.js';
import type { TwilioServer } from '../twilio/voice-server.js';
import type { CallTracker } from './call-tracker.js';

/** The servers calls arrive on: AudioSocket (audio), FastAGI (call metadata), Twilio (public). */
export interface TransportServers {
  readonly audioSocket: AudioSocketServer;
  readonly agi: FastAgiServer | null;
  /** Null without TWILIO_AUTH_TOKEN. */
  readonly twilio: TwilioServer | null;
}

export interface TransportServerParts {
  deps: CallDeps;
  calls: CallTracker;
  registry: CallMetadataRegistry;
  outcomes: CallOutcomeRegistry;
  metrics: Metrics;
  /** Asked by FastAGI before a call is given its AudioSocket address. */
  admit: () => AdmissionVerdict;
  /** Asked again when the AudioSocket connects (a call may come without FastAGI). */
  admitConnected: () => AdmissionVerdict;
  /** Where AudioSocket calls' outcomes go instead of this process's FastAGI. */
  reportOutcome?: CallDeps['reportOutcome'];
  twilio?: TwilioOverrides;
  onCallEnded?: (summary: CallSummary) => void;
}

/**
 * Starts every server a call can arrive on, each handing its calls to `calls`. They all listen before
 * this resolves: a healthy server (/healthz) is listening on every port it serves.
 */
export async function startTransportServers(
  config: Config,
  log: Logger,
  parts: TransportServerParts,
): Promise<TransportServers> {
  const { deps, calls, registry, outcomes } = parts;
  const audioSocket = await startAudioSocketServer({
    host: config.AUDIOSOCKET_HOST,
    port: config.AUDIOSOCKET_PORT,
    maxConnections: config.AUDIOSOCKET_MAX_CONNECTIONS,
    declaredSampleRate: (uuid) => registry.peek(uuid)?.sampleRate,
    // The runtime opens speech to text and text to speech at 8 or 16 kHz only.
    supportedSampleRates: [8000, 16000],
    log,
    onCall: (call) => {
      const verdict = parts.admitConnected();
      if (!verdict.admit) {
        log.warn({ callId: call.callId, maxCalls: config.MAX_CALLS }, 'call refused: MAX_CALLS in progress');
        call.hangup();
        return;
      }
      calls.run(call, 'audiosocket', {
        ...deps,
        reportOutcome: parts.reportOutcome ?? ((uuid, outcome) => outcomes.set(uuid, outcome)),
      });
    },
  });
  parts.metrics.trackAudioOutput(() => audioSocket.stats());

  const agi = await startAgiFromConfig(config, log, {
    registry,
    outcomes,
    admit: parts.admit,
    audioSocketAddress: `${config.AUDIOSOCKET_HOST}:${audioSocket.port}`,
  });
  const twilio = await startTwilioFromConfig(
    config,
    log,
    deps,
    (call, callDeps) => calls.run(call, 'twilio', callDeps),
    {
      onRequest: (route, result) => parts.metrics.twilioRequest(route, result),
      ...parts.twilio,
      ...(parts.onCallEnded ? { onCallEnded: parts.onCallEnded } : {}),
    },
  );
  return { audioSocket, agi, twilio };
}

/** The FastAGI server when AGI_ENABLED, on AGI_HOST:AGI_PORT; null otherwise. */
export async function startAgiFromConfig(
  config: Config,
  log: Logger,
  opts: Pick<FastAgiServerOptions, 'registry' | 'outcomes' | 'admit' | 'audioSocketAddress'>,
): Promise<FastAgiServer | null> {
  if (!config.AGI_ENABLED) return null;
  return startFastAgiServer({ host: config.AGI_HOST, port: config.AGI_PORT, log, ...opts });
}
