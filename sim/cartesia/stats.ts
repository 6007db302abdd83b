/** Counters a test or the demo reads to see what the simulator did (never what it should have done). */
export interface CartesiaSimStats {
  /** WebSocket connections accepted, ever. */
  connections: number;
  /** Upgrades refused by the `refuseHandshakes` knob. */
  handshakesRefused: number;
  openConnections: number;
  contextsOpened: number;
  /** Contexts with output still to send (cancelled ones count until their in-flight audio is out). */
  activeContexts: number;
  /** Cancel messages that hit a live context (docs/protocols/cartesia-tts.md §2b). */
  contextsCancelled: number;
  /** Contexts that ended with `done`. */
  contextsDone: number;
  /** Contexts ended by an `error` message (invalid input or an injected fault). */
  contextsFailed: number;
  /** Contexts cut off by a dropped socket. */
  contextsDropped: number;
  chunksSent: number;
  /** Chunks sent for a context after its cancel arrived: the in-flight audio of §2b. */
  lateChunksAfterCancel: number;
  errorsSent: number;
  messagesReceived: number;
  httpRequests: number;
}

export function emptyStats(): CartesiaSimStats {
  return {
    connections: 0,
    handshakesRefused: 0,
    openConnections: 0,
    contextsOpened: 0,
    activeContexts: 0,
    contextsCancelled: 0,
    contextsDone: 0,
    contextsFailed: 0,
    contextsDropped: 0,
    chunksSent: 0,
    lateChunksAfterCancel: 0,
    errorsSent: 0,
    messagesReceived: 0,
    httpRequests: 0,
  };
}
