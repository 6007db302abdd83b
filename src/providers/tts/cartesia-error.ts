/**
 * A failure of one Cartesia context: a server `error` message (docs/protocols/cartesia-tts.md §3f) or the
 * socket going away.
 */
export class CartesiaTtsError extends Error {
  override readonly name = 'CartesiaTtsError';

  constructor(
    message: string,
    /** HTTP-style status from the server's error message; absent for transport failures. */
    readonly status?: number,
    /** The server's machine code, e.g. `voice_not_found`. */
    readonly code?: string,
  ) {
    super(message);
  }
}
