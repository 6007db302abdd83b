import type { IncomingHttpHeaders } from 'node:http';

export interface Credential {
  scheme: 'token' | 'bearer';
  secret: string;
  /**
   * Browsers put auth in Sec-WebSocket-Protocol; the server must then select that protocol
   * (docs/protocols/deepgram-live.md §1).
   */
  viaSubprotocol: boolean;
}

/**
 * §1: `Authorization: Token <key>` or `Bearer <jwt>` from Node clients, or the browser form
 * `Sec-WebSocket-Protocol: token, <key>` / `bearer, <jwt>`. Returns undefined when none is usable.
 */
export function readCredential(headers: IncomingHttpHeaders): Credential | undefined {
  const auth = headers.authorization?.trim();
  if (auth) {
    const match = /^(token|bearer)\s+(\S.*)$/i.exec(auth);
    if (!match) return undefined;
    return {
      scheme: match[1]!.toLowerCase() as Credential['scheme'],
      secret: match[2]!.trim(),
      viaSubprotocol: false,
    };
  }
  const protocols = (headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  for (let i = 0; i + 1 < protocols.length; i++) {
    const scheme = protocols[i]!.toLowerCase();
    const secret = protocols[i + 1]!;
    if ((scheme === 'token' || scheme === 'bearer') && secret)
      return { scheme, secret, viaSubprotocol: true };
  }
  return undefined;
}
