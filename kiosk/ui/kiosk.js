// Kiosk page logic: plays the answer clips (with lip sync and subtitles), records the citizen's voice
// (push-to-talk or hands-free with an energy VAD), barges in, and resets the screen after idle time.
const page = (window.kioskPage = window.kioskPage || {});
const $ = (sel) => document.querySelector(sel);
const stats = (window.kioskStats = { clipsPlayed: 0, subtitlesOnly: 0, bargeIns: [], utterances: 0, resets: 0, playing: false });

let avatar = null;
let audioCtx = null;
let analyser = null;
let current = null; // {source, clip, turn} or {timer} for subtitle-only clips
const queue = [];
let speechTurn = "";
let nextSeq = 0;
const stoppedTurns = new Set();
let lastInteraction = performance.now();
let screenDirty = false;

function ensureAudio() {
  if (!audioCtx) {
    audioCtx = new AudioContext();
    analyser = audioCtx.createAnalyser();
    analyser.fftSize = 512;
    analyser.connect(audioCtx.destination);
  }
  if (audioCtx.state === "suspended") audioCtx.resume();
  return audioCtx;
}

function loudness() {
  const data = new Uint8Array(analyser.fftSize);
  analyser.getByteTimeDomainData(data);
  let sum = 0;
  for (const v of data) sum += ((v - 128) / 128) ** 2;
  return Math.min(1, Math.sqrt(sum / data.length) * 4);
}

function setSubtitle(text) {
  const el = $("#subtitle");
  if (el) el.textContent = text;
}

function greetingText() {
  const el = $("#greeting-text");
  return el ? el.textContent.trim() : "";
}

function touch() { lastInteraction = performance.now(); }

page.onSpeech = function (value) {
  let track;
  try { track = JSON.parse(value || "{}"); } catch (e) { return; }
  if (!track.turn) return;
  screenDirty = true;
  touch();
  if (track.turn !== speechTurn) {
    if (speechTurn) page.stopPlayback(false);
    speechTurn = track.turn;
    nextSeq = 0;
  }
  if (stoppedTurns.has(track.turn)) return;
  for (const clip of track.clips || []) {
    if (clip.seq >= nextSeq) {
      nextSeq = clip.seq + 1;
      queue.push(Object.assign({ turn: track.turn, buffer: null }, clip));
      if (clip.url) prefetch(queue[queue.length - 1]);
    }
  }
  playNext();
};

async function prefetch(item) {
  try {
    const response = await fetch(item.url);
    const bytes = await response.arrayBuffer();
    item.buffer = await ensureAudio().decodeAudioData(bytes);
  } catch (e) {
    item.url = null; // play it as a subtitle
  }
  playNext();
}

function playNext() {
  if (current || !queue.length) return;
  const item = queue[0];
  if (item.url && !item.buffer) return; // still loading; prefetch calls back
  queue.shift();
  if (stoppedTurns.has(item.turn)) return playNext();
  setSubtitle(item.text);
  stats.playing = true;
  $("#avatar-stage")?.setAttribute("data-speaking", "1");
  if (!item.buffer) {
    stats.subtitlesOnly += 1;
    const timer = setTimeout(finishClip, Math.max(1500, item.text.length * 260));
    current = { timer, turn: item.turn };
    avatar?.speakWithLevel(() => 0.2 + 0.2 * Math.abs(Math.sin(performance.now() / 90)));
    return;
  }
  const ctx = ensureAudio();
  const source = ctx.createBufferSource();
  source.buffer = item.buffer;
  source.connect(analyser);
  const startAt = ctx.currentTime + 0.02;
  source.onended = () => { if (current && current.source === source) finishClip(); };
  source.start(startAt);
  current = { source, turn: item.turn };
  stats.clipsPlayed += 1;
  if (item.marks && item.marks.length) avatar?.speakWithMarks(ctx, startAt, item.marks);
  else avatar?.speakWithLevel(loudness);
}

function finishClip() {
  current = null;
  touch();
  if (!queue.length) {
    stats.playing = false;
    $("#avatar-stage")?.setAttribute("data-speaking", "0");
    avatar?.silence();
  }
  playNext();
}

// Stops the voice now; `t0` (performance.now() at speech onset or tap) measures barge-in latency.
page.stopPlayback = function (record = true, t0 = performance.now()) {
  const wasPlaying = Boolean(current) || queue.length > 0;
  if (speechTurn) stoppedTurns.add(speechTurn);
  queue.length = 0;
  if (current) {
    if (current.source) { try { current.source.stop(); } catch (e) {} }
    if (current.timer) clearTimeout(current.timer);
    current = null;
  }
  stats.playing = false;
  $("#avatar-stage")?.setAttribute("data-speaking", "0");
  avatar?.silence();
  if (record && wasPlaying) stats.bargeIns.push(performance.now() - t0);
  return wasPlaying;
};

page.bargeIn = function (t0 = performance.now()) {
  touch();
  if (page.stopPlayback(true, t0)) $("#barge-in")?.click();
};

page.beforeAsk = function (text) {
  touch();
  page.stopPlayback(true);
  screenDirty = true;
  ensureAudio();
  return text;
};

page.setElderly = function (on) {
  document.body.classList.toggle("elderly", Boolean(on));
  touch();
};

// ---------------------------------------------------------------- microphone

const mic = { stream: null, ctx: null, node: null, ptt: false, handsFree: false, frames: [], preRoll: [],
  inSpeech: false, speechFrames: 0, silenceFrames: 0, loudFrames: 0, noise: 0.01 };
const FRAME = 1024; // 64 ms at 16 kHz
const ONSET_FRAMES = 2, END_SILENCE_FRAMES = 11, MIN_SPEECH_FRAMES = 5, PRE_ROLL_FRAMES = 5;

async function ensureMic() {
  if (mic.stream) return true;
  try {
    mic.stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
  } catch (e) {
    setMicState("off", "无法打开麦克风，请打字提问");
    return false;
  }
  mic.ctx = new AudioContext({ sampleRate: 16000 });
  const source = mic.ctx.createMediaStreamSource(mic.stream);
  mic.node = mic.ctx.createScriptProcessor(FRAME, 1, 1);
  mic.node.onaudioprocess = (event) => onFrame(new Float32Array(event.inputBuffer.getChannelData(0)));
  source.connect(mic.node);
  mic.node.connect(mic.ctx.destination);
  return true;
}

function setMicState(state, text) {
  const el = $("#mic-state");
  if (el) { el.dataset.state = state; el.textContent = text || ""; }
}

function rms(frame) {
  let sum = 0;
  for (const v of frame) sum += v * v;
  return Math.sqrt(sum / frame.length);
}

function onFrame(frame) {
  if (mic.ptt) { mic.frames.push(frame); return; }
  if (!mic.handsFree) return;
  const level = rms(frame);
  const threshold = Math.max(0.015, mic.noise * 3);
  const loud = level > threshold;
  if (!mic.inSpeech) {
    mic.preRoll.push(frame);
    if (mic.preRoll.length > PRE_ROLL_FRAMES) mic.preRoll.shift();
    mic.loudFrames = loud ? mic.loudFrames + 1 : 0;
    if (!loud) mic.noise = mic.noise * 0.95 + level * 0.05;
    if (mic.loudFrames >= ONSET_FRAMES) {
      mic.inSpeech = true;
      mic.frames = mic.preRoll.slice();
      mic.preRoll = [];
      mic.speechFrames = mic.loudFrames;
      mic.silenceFrames = 0;
      setMicState("listening", "正在听…");
      page.bargeIn(performance.now() - ((ONSET_FRAMES - 1) * FRAME * 1000) / 16000);
    }
    return;
  }
  mic.frames.push(frame);
  if (loud) { mic.speechFrames += 1; mic.silenceFrames = 0; } else mic.silenceFrames += 1;
  if (mic.silenceFrames >= END_SILENCE_FRAMES) {
    mic.inSpeech = false;
    const frames = mic.frames;
    mic.frames = [];
    setMicState("on", "免提模式：请直接说话");
    if (mic.speechFrames >= MIN_SPEECH_FRAMES) submitUtterance(frames.slice(0, frames.length - END_SILENCE_FRAMES + 3));
  }
}

async function submitUtterance(frames) {
  const length = frames.reduce((n, f) => n + f.length, 0);
  if (length < 16000 * 0.3) return;
  const pcm = new Int16Array(length);
  let offset = 0;
  for (const f of frames) {
    for (let i = 0; i < f.length; i++) pcm[offset + i] = Math.max(-32768, Math.min(32767, Math.round(f[i] * 32767)));
    offset += f.length;
  }
  try {
    const response = await fetch("/kiosk-media/utterance", { method: "POST", body: pcm.buffer, headers: { "Content-Type": "application/octet-stream" } });
    if (!response.ok) throw new Error(String(response.status));
    page.pendingUtterance = (await response.json()).id;
    stats.utterances += 1;
    screenDirty = true;
    $("#voice-submit")?.click();
  } catch (e) {
    setMicState("off", "录音上传失败，请打字提问");
  }
}

page.takeUtterance = function () {
  const id = page.pendingUtterance || "";
  page.pendingUtterance = "";
  return id;
};

async function pttDown(event) {
  event.preventDefault();
  const t0 = performance.now();
  touch();
  ensureAudio();
  page.bargeIn(t0);
  if (!(await ensureMic())) return;
  if (mic.ctx.state === "suspended") mic.ctx.resume();
  mic.frames = [];
  mic.ptt = true;
  $("#ptt-button")?.classList.add("recording");
  setMicState("listening", "正在听…松开结束");
}

function pttUp() {
  if (!mic.ptt) return;
  mic.ptt = false;
  $("#ptt-button")?.classList.remove("recording");
  setMicState(mic.handsFree ? "on" : "off", "");
  touch();
  submitUtterance(mic.frames);
  mic.frames = [];
}

async function setHandsFree(on) {
  mic.handsFree = on && (await ensureMic());
  if (mic.handsFree && mic.ctx.state === "suspended") mic.ctx.resume();
  mic.inSpeech = false;
  mic.frames = [];
  ensureAudio();
  setMicState(mic.handsFree ? "on" : "off", mic.handsFree ? "免提模式：请直接说话" : "");
}

// ---------------------------------------------------------------- idle reset

function resetScreen() {
  page.stopPlayback(false);
  screenDirty = false;
  speechTurn = "";
  stats.resets += 1;
  setSubtitle(greetingText());
  avatar?.nod();
  $("#idle-reset")?.click();
}

function idleSeconds() {
  const el = $("#greeting-text");
  return Number(el?.dataset.idleResetS || 90);
}

// ---------------------------------------------------------------- start-up

function start() {
  const stage = $("#avatar-stage");
  if (!stage || !$("#ptt-button")) return setTimeout(start, 100);
  avatar = new window.KioskAvatar(stage);
  setSubtitle(greetingText());
  avatar.nod();
  const ptt = $("#ptt-button");
  ptt.addEventListener("pointerdown", pttDown);
  ["pointerup", "pointerleave", "pointercancel"].forEach((name) => ptt.addEventListener(name, pttUp));
  $("#handsfree-toggle")?.addEventListener("change", (e) => setHandsFree(e.target.checked));
  stage.addEventListener("pointerdown", () => page.bargeIn()); // tapping the speaking face stops it
  ["pointerdown", "keydown"].forEach((name) => document.addEventListener(name, () => { touch(); ensureAudio(); }, true));
  setInterval(() => {
    const idle = (performance.now() - lastInteraction) / 1000;
    if (screenDirty && !stats.playing && !mic.inSpeech && !mic.ptt && idle >= idleSeconds()) resetScreen();
  }, 500);
  document.body.dataset.kioskReady = "1";
}
start();
