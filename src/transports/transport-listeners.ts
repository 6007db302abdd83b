import type { TransportEvents } from './transport.js';

type EventName = keyof TransportEvents;

/**
 * The listeners of one call's transport events, shared by every transport. A listener that throws
 * stops that event's delivery and is handed to `onThrow`, which ends that call: never the process
 * (a socket's data handler would rethrow it).
 */
export class TransportListeners {
  private readonly listeners: { [E in EventName]: TransportEvents[E][] } = {
    audio: [],
    dtmf: [],
    playoutDone: [],
    closed: [],
  };

  constructor(private readonly onThrow: (event: EventName, err: unknown) => void) {}

  add<E extends EventName>(event: E, listener: TransportEvents[E]): void {
    this.listeners[event].push(listener);
  }

  emit<E extends EventName>(event: E, ...args: Parameters<TransportEvents[E]>): void {
    for (const listener of this.listeners[event]) {
      try {
        (listener as (...a: Parameters<TransportEvents[E]>) => void)(...args);
      } catch (err) {
        this.onThrow(event, err);
        return;
      }
    }
  }
}
