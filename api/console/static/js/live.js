// 实时通话：话筒采集为 16 kHz PCM 帧（首字节声道：0 坐席、1 来电人）经 WebSocket 送往
// /api/v1/calls/{id}/stream，服务端推送 segment / suggestions / interim（暂定）/ draft / error / ended 事件。
import { API, token } from "./app.js";

export class LiveStream {
  /** handlers: {segment, suggestions, interim, draft, error, ended}; channel(): 0 or 1 for the next frame. */
  constructor(callId, handlers, channel) {
    this.callId = callId;
    this.handlers = handlers;
    this.channel = channel;
    this.audio = null;
    this.ws = null;
  }

  async start() {
    if (!navigator.mediaDevices) throw new Error("浏览器不支持话筒采集（需 https 或本机访问）");
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${proto}://${location.host}${API}/calls/${this.callId}/stream?token=${encodeURIComponent(token())}&sample_rate=16000`);
    ws.binaryType = "arraybuffer";
    ws.onmessage = (m) => {
      const { type, data } = JSON.parse(m.data);
      if (this.handlers[type]) this.handlers[type](data);
    };
    ws.onclose = () => { this.ws = null; };
    this.ws = ws;
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1 } });
    const ctx = new AudioContext({ sampleRate: 16000 });
    const src = ctx.createMediaStreamSource(stream);
    const node = ctx.createScriptProcessor(4096, 1, 1);
    node.onaudioprocess = (e) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const pcm = e.inputBuffer.getChannelData(0);
      const buf = new DataView(new ArrayBuffer(1 + pcm.length * 2));
      buf.setUint8(0, this.channel());
      for (let i = 0; i < pcm.length; i++) buf.setInt16(1 + i * 2, Math.max(-1, Math.min(1, pcm[i])) * 32767, true);
      ws.send(buf.buffer);
    };
    src.connect(node);
    node.connect(ctx.destination);
    this.audio = { stream, ctx };
  }

  /** Stops the microphone; with end=true asks the service to finish the call. */
  stop(end = false) {
    if (this.audio) {
      this.audio.stream.getTracks().forEach((t) => t.stop());
      this.audio.ctx.close();
      this.audio = null;
    }
    if (end && this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "end" }));
  }

  get open() { return this.ws !== null; }
}
