import type { InspectionEvent } from 'xstate';
import type { CallMetadataRegistry } from '../agi/call-metadata-registry.js';
import { lookupCallMetadata } from '../agi/lookup-call-metadata.js';
import type { CallDeps } from '../call/call-session.js';
import { GreetingCache } from '../call/greeting.js';
import type { CallInspector } from '../call/inspect.js';
import type { LineCache } from '../call/line-cache.js';
import { metricsObserver } from '../call/metrics-observer.js';
import { callSettings } from '../call-settings.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { resolveCallContext } from '../tenants/resolve-call-context.js';
import type { Providers } from './providers.js';
import type { Storage } from './storage.js';

export interface CallDepsParts {
  providers: Providers;
  storage: Storage;
  registry: CallMetadataRegistry;
  lines: LineCache;
  metrics: Metrics;
  inspector: CallInspector | undefined;
  shutdownSignal: AbortSignal;
  onBargeIn?: CallDeps['onBargeIn'];
}

/**
 * What every call shares, whatever its transport: the providers, the store, where its metadata and
 * tenant come from, the caches and the observers. Each transport then overrides what it knows better
 * (Twilio and the browser bring their own metadata; AudioSocket reports its leg's outcome).
 */
export function buildCallDeps(config: Config, log: Logger, parts: CallDepsParts): CallDeps {
  const { providers, storage, registry, inspector } = parts;
  return {
    ...callSettings(config),
    stt: providers.stt,
    tts: providers.tts,
    llm: providers.llm,
    store: storage.store,
    journal: storage.journal,
    lookupMetadata: (callId) =>
      lookupCallMetadata(callId, {
        registry,
        metadataDir: config.METADATA_DIR,
        waitMs: config.METADATA_WAIT_MS,
        log,
      }),
    resolveContext: ({ dialled, caller }) =>
      resolveCallContext({
        store: storage.store,
        dialled,
        caller,
        callerHashKey: storage.callerHashKey,
        log,
        ...(config.CONTEXT_API_URL
          ? {
              contextApi: {
                url: config.CONTEXT_API_URL,
                apiKey: config.CONTEXT_API_KEY,
                timeoutMs: config.CONTEXT_API_TIMEOUT_MS,
              },
            }
          : {}),
      }),
    greetings: new GreetingCache(),
    lines: parts.lines,
    observer: metricsObserver(parts.metrics),
    log,
    ...(inspector
      ? { inspect: (callId: string) => (ev: InspectionEvent) => inspector.record(callId, ev) }
      : {}),
    ...(parts.onBargeIn ? { onBargeIn: parts.onBargeIn } : {}),
    shutdownSignal: parts.shutdownSignal,
    onTransfer: (callId) => log.info({ callId }, 'transfer requested (hook: connect a transfer target here)'),
  };
}
