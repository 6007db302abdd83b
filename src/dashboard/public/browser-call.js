// The "Call the agent" button: microphone -> AudioWorklet (16 kHz) -> WebSocket /call -> the same
// runtime as phone calls; agent audio comes back on the socket and is played by a second worklet.

const SAMPLE_RATE = 16000;

export class BrowserCall {
  constructor({ tenant, onStatus, onReady, onEnd }) {
    this.tenant = tenant;
    this.onStatus = onStatus;
    this.onReady = onReady;
    this.onEnd = onEnd;
    this.ended = false;
  }

  async start() {
    this.onStatus('asking for the microphone…');
    this.ctx = new AudioContext({ sampleRate: SAMPLE_RATE });
    await this.ctx.audioWorklet.addModule('/assets/audio-worklet.js');
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: false, autoGainControl: false },
    });
    if (this.ctx.state === 'suspended') await this.ctx.resume();
    const mic = this.ctx.createMediaStreamSource(this.stream);
    this.capture = new AudioWorkletNode(this.ctx, 'capture', { numberOfInputs: 1, numberOfOutputs: 1 });
    this.player = new AudioWorkletNode(this.ctx, 'player', {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [1],
    });
    mic.connect(this.capture);
    this.capture.connect(this.ctx.destination); // silent: keeps the capture processor running
    this.player.connect(this.ctx.destination);

    this.onStatus('connecting…');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/call`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () =>
      ws.send(JSON.stringify({ type: 'start', tenant: this.tenant, sampleRate: SAMPLE_RATE }));
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') {
        this.player.port.postMessage({ type: 'audio', pcm: e.data }, [e.data]);
        return;
      }
      const m = JSON.parse(e.data);
      if (m.type === 'ready') {
        this.callId = m.callId;
        this.onStatus('in call');
        this.onReady(m.callId);
      } else if (m.type === 'clear') {
        this.player.port.postMessage({ type: 'clear' });
      } else if (m.type === 'hangup') {
        this.onStatus(`call ended (${m.cause})`);
      }
    };
    ws.onclose = () => this.stop(false);
    ws.onerror = () => this.onStatus('connection failed');
    this.capture.port.onmessage = (e) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(e.data);
    };
    this.player.port.onmessage = (e) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(e.data));
    };
  }

  stop(sayHangup = true) {
    if (this.ended) return;
    this.ended = true;
    if (sayHangup && this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ type: 'hangup' }));
      this.ws.close();
    }
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    // Let the last of the agent's words play before the audio graph goes.
    setTimeout(() => this.ctx?.close(), 1500);
    this.onEnd();
  }
}
