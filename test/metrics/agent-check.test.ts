import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { agentReply, type NodeState, startAgentCheckServer } from '../../src/http/agent-check.js';
import { silentLogger } from '../../src/log.js';

const base: NodeState = { draining: false, ready: true, refusing: false, freeSlots: 150, maxCalls: 200 };

/** What HAProxy reads: connect, (optionally send agent-send), read one line until close. */
function ask(port: number, send?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => {
      text += d.toString();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
    if (send) socket.write(send);
  });
}

describe('HAProxy agent check', () => {
  it('maps the node state to an agent reply', () => {
    expect(agentReply(base)).toBe('up ready 75%\n');
    expect(agentReply({ ...base, freeSlots: 1 })).toBe('up ready 1%\n'); // never 0% while a slot is free
    expect(agentReply({ ...base, freeSlots: 0 })).toBe('up drain\n');
    expect(agentReply({ ...base, refusing: true })).toBe('up drain\n');
    expect(agentReply({ ...base, ready: false })).toBe('down\n');
    expect(agentReply({ ...base, draining: true, ready: false })).toBe('maint\n');
  });

  it('answers each TCP connection with one line and closes it; agent-send text is ignored', async () => {
    let state = base;
    const server = await startAgentCheckServer({
      host: '127.0.0.1',
      port: 0,
      log: silentLogger,
      state: async () => state,
    });
    try {
      expect(await ask(server.port)).toBe('up ready 75%\n');
      expect(await ask(server.port, 'callchart_fastagi/node-a\n')).toBe('up ready 75%\n');
      state = { ...base, draining: true };
      expect(await ask(server.port)).toBe('maint\n');
    } finally {
      await server.close();
    }
  });

  it('says down when the state cannot be read', async () => {
    const server = await startAgentCheckServer({
      host: '127.0.0.1',
      port: 0,
      log: silentLogger,
      state: async () => {
        throw new Error('database gone');
      },
    });
    try {
      expect(await ask(server.port)).toBe('down\n');
    } finally {
      await server.close();
    }
  });
});
