import { createRequire } from 'node:module';
import type * as SdkRoot from '@cartesia/cartesia-js';
import type * as SdkTtsWs from '@cartesia/cartesia-js/resources/tts/ws';

/**
 * The official SDK, loaded through its CommonJS build on purpose.
 *
 * Its ESM build (`internal/lib/tts/ws.mjs`) finds the `ws` package with a bare `require('ws')`, which does
 * not exist in an ES module, so under `import` it silently falls back to a global `WebSocket`. Node 20 has
 * none and `tts.websocket()` throws "The \"ws\" peer dependency is required"; Node 22 would take the browser
 * path, which drops our headers and `createConnection` (docs/protocols/cartesia-tts.md §7 "ws peer
 * dependency"). Measured here on Node 20.20 with tsx and vitest: `import` fails, `createRequire` works. Every
 * other file imports the SDK from here.
 */
const require = createRequire(import.meta.url);

export const { Cartesia } = require('@cartesia/cartesia-js') as typeof SdkRoot;
export const { TTSWS } = require('@cartesia/cartesia-js/resources/tts/ws') as typeof SdkTtsWs;

export type CartesiaClient = InstanceType<typeof Cartesia>;
export type TtsSocket = InstanceType<typeof TTSWS>;
export type TtsSocketContext = SdkTtsWs.TTSWSContext;
export type TtsContextOptions = SdkTtsWs.ContextOptions;
export type { Emotion, GenerationConfig, WebsocketResponse } from '@cartesia/cartesia-js/resources/tts';
