import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/log.js';
import type { GenerationInput } from './client-messages.js';
import { FaultPlan } from './faults.js';
import type { CartesiaSimKnobs } from './options.js';
import type { SimError } from './server-messages.js';
import { type ContextSink, configOf, SimContext } from './sim-context.js';
import { type CartesiaSimStats, emptyStats } from './stats.js';

/** State shared by every socket and HTTP request of one simulator: knobs, faults, counters, limits. */
export class SimCore {
  readonly faults: FaultPlan;
  readonly stats: CartesiaSimStats = emptyStats();
  private requestSeq = 0;
  /** The connection (request id) that took the first fault. */
  private faultOwner: string | undefined;

  constructor(
    readonly knobs: CartesiaSimKnobs,
    readonly clock: Clock,
    readonly log: Logger,
  ) {
    this.faults = new FaultPlan(knobs.faults);
  }

  /** docs/protocols/cartesia-tts.md §1 / §3f `request_id`: one per connection or HTTP request. */
  nextRequestId(): string {
    this.requestSeq += 1;
    return `sim-req-${this.requestSeq.toString().padStart(4, '0')}`;
  }

  /** The checks the service makes on a context's first input (§4 item 9, §4 item 6). */
  admit(input: Pick<GenerationInput, 'voiceId' | 'modelId'>): SimError | undefined {
    const { voices, models, maxConcurrentContexts } = this.knobs;
    if (voices.length > 0 && !voices.includes(input.voiceId)) {
      return {
        status: 404,
        title: 'Voice not found',
        message: `No voice with id ${input.voiceId} exists.`,
        code: 'voice_not_found',
      };
    }
    const knownModel = models.length > 0 ? models.includes(input.modelId) : input.modelId.startsWith('sonic');
    if (!knownModel) {
      return {
        status: 400,
        title: 'Invalid model',
        message: `Model ${input.modelId} does not exist.`,
        code: 'model_not_found',
      };
    }
    if (maxConcurrentContexts > 0 && this.stats.activeContexts >= maxConcurrentContexts) {
      return {
        status: 429,
        title: 'Concurrency limit exceeded',
        message: `At most ${maxConcurrentContexts} contexts may be active at once.`,
        code: 'concurrency_limit_exceeded',
      };
    }
    return undefined;
  }

  /**
   * Opens a context (call `admit` first); it counts towards the limit until its sink hears `ended`.
   * `faultsAllowed` false serves it clean without using up the fault plan (too early in its connection).
   */
  openContext(
    contextId: string,
    input: GenerationInput,
    sink: ContextSink,
    requestId: string,
    faultsAllowed = true,
  ): SimContext {
    this.stats.activeContexts += 1;
    this.stats.contextsOpened += 1;
    // With faultsAfterMs, faults go to one connection only (the call's own socket): a reopen is clean.
    const owner = this.knobs.faultsAfterMs > 0 ? this.faultOwner : undefined;
    const fault =
      faultsAllowed && (owner === undefined || owner === requestId) ? this.faults.next() : undefined;
    if (fault) this.faultOwner ??= requestId;
    const counted: ContextSink = {
      send: (m) => {
        if (m.type === 'chunk') this.stats.chunksSent += 1;
        if (m.type === 'error') this.stats.errorsSent += 1;
        sink.send(m);
      },
      drop: () => sink.drop(),
      lateChunk: () => {
        this.stats.lateChunksAfterCancel += 1;
      },
      ended: (how) => {
        this.stats.activeContexts -= 1;
        if (how === 'done') this.stats.contextsDone += 1;
        if (how === 'error') this.stats.contextsFailed += 1;
        if (how === 'dropped') this.stats.contextsDropped += 1;
        // Cancelled before an error or drop fired (a dropped speculative reply): the fault is still due.
        if (how === 'cancelled' && fault && fault.kind !== 'stall') this.faults.giveBack(fault);
        sink.ended(how);
      },
    };
    const config = configOf(input, this.knobs.defaultMaxBufferDelayMs);
    return new SimContext(contextId, config, this.knobs, fault, this.clock, counted, requestId, (text) =>
      this.faults.nextFor(text),
    );
  }
}
