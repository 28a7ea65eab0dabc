// Kiosk page logic: plays the answer clips (with lip sync and subtitles), records the citizen's voice
// (push-to-talk or hands-free with an energy VAD), barges in, and resets the screen after idle time.
const page = (window.kioskPage = window.kioskPage || {});
const $ = (sel) => document.querySelector(sel);
const stats = (window.kioskStats = { clipsPlayed: 0, subtitlesOnly: 0, bargeIns: [], utterances: 0, earlyReused: 0, resets: 0, playing: false });

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

function showSubtitle(text) {
  setSubtitle(text);
  (stats.subtitles = stats.subtitles || []).push(text);
  if (stats.subtitles.length > 50) stats.subtitles.shift();
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
  if (stoppedTurns.has(track.turn)) return; // ended on this screen: a clip arriving late says nothing
  if (track.cancelled) { // cut off on the server (a newer question, barge-in): nothing more of it is said
    stoppedTurns.add(track.turn);
    if (track.turn === speechTurn) page.stopPlayback(false);
    return;
  }
  if (track.turn !== speechTurn) {
    if (speechTurn) page.stopPlayback(false);
    speechTurn = track.turn;
    nextSeq = 0;
  }
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
  showSubtitle(item.subtitle || item.text);
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

// Stops the voice now; `t0` (performance.now() at speech onset or tap) measures barge-in latency. A barge-in
// (record) ends the turn only if it was speaking; the other callers end it outright.
page.stopPlayback = function (record = true, t0 = performance.now()) {
  const wasPlaying = Boolean(current) || queue.length > 0;
  if (speechTurn && (wasPlaying || !record)) stoppedTurns.add(speechTurn);
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

// A new question, or speaking over the voice, ends every turn on screen, including one whose first clip is still
// on its way: that clip arriving late must not speak the old answer over the new question.
function endShownTurns() {
  document.querySelectorAll("#conversation .exchange[data-turn]").forEach((ex) => stoppedTurns.add(ex.dataset.turn));
  setSubtitle("");
}

// Speech onset or a tap on the face: stops the voice. A cough before an answer's voice arrives does not mute it;
// the question that follows does (submitUtterance).
page.bargeIn = function (t0 = performance.now()) {
  touch();
  if (!page.stopPlayback(true, t0)) return;
  endShownTurns();
  $("#barge-in")?.click();
};

page.beforeAsk = function (text) {
  touch();
  endShownTurns();
  page.stopPlayback(true);
  screenDirty = true;
  ensureAudio();
  return text;
};

page.setElderly = function (on) {
  document.body.classList.toggle("elderly", Boolean(on));
  $("#kiosk-main")?.classList.toggle("elderly", Boolean(on)); // for the layout rules inside @media
  touch();
};

// ---------------------------------------------------------------- microphone

const FRAME = 1024; // 64 ms at 16 kHz

// Energy VAD with an adaptive noise floor: a few loud frames start speech, ~0.7 s of quiet ends it. After the
// first ~0.2 s of quiet it offers the audio so far as an early clip, so recognition can start during the wait;
// if the quiet lasts, the finished utterance is exactly that clip.
class EnergyVad {
  static ONSET_FRAMES = 2;
  static EARLY_SILENCE_FRAMES = 3;
  static END_SILENCE_FRAMES = 11;
  static MIN_SPEECH_FRAMES = 5;
  static PRE_ROLL_FRAMES = 5;

  constructor() { this.reset(); this.noise = 0.01; }
  reset() { this.inSpeech = false; this.loudFrames = 0; this.speechFrames = 0; this.silenceFrames = 0; this.frames = []; this.preRoll = []; }

  // Returns "onset", {early: [frames]} at the first moments of quiet, {utterance: [frames]} at end of speech, or null. While the avatar speaks, what leaks
  // past the browser's echo canceller must not read as a barge-in, so the bar is raised.
  process(frame, avatarSpeaking = false) {
    let sum = 0;
    for (const v of frame) sum += v * v;
    const level = Math.sqrt(sum / frame.length);
    const loud = level > Math.max(0.015, this.noise * 3) * (avatarSpeaking ? 2 : 1);
    if (!this.inSpeech) {
      this.preRoll.push(frame);
      if (this.preRoll.length > EnergyVad.PRE_ROLL_FRAMES) this.preRoll.shift();
      this.loudFrames = loud ? this.loudFrames + 1 : 0;
      if (!loud) this.noise = this.noise * 0.95 + level * 0.05;
      if (this.loudFrames < EnergyVad.ONSET_FRAMES) return null;
      this.inSpeech = true;
      this.frames = this.preRoll.slice();
      this.preRoll = [];
      this.speechFrames = this.loudFrames;
      this.silenceFrames = 0;
      return "onset";
    }
    this.frames.push(frame);
    if (loud) { this.speechFrames += 1; this.silenceFrames = 0; } else this.silenceFrames += 1;
    if (this.silenceFrames === EnergyVad.EARLY_SILENCE_FRAMES && this.speechFrames >= EnergyVad.MIN_SPEECH_FRAMES) {
      return { early: this.frames.slice() };
    }
    if (this.silenceFrames < EnergyVad.END_SILENCE_FRAMES) return null;
    const enough = this.speechFrames >= EnergyVad.MIN_SPEECH_FRAMES;
    const frames = this.frames.slice(0, this.frames.length - EnergyVad.END_SILENCE_FRAMES + EnergyVad.EARLY_SILENCE_FRAMES);
    this.reset();
    return enough ? { utterance: frames } : null;
  }
}

// For the benchmark: run the VAD over 16 kHz samples; times are when each decision is available.
page.probeVad = function (samples) {
  const vad = new EnergyVad();
  const result = { onset_s: null, early_s: null, end_s: null, early_matches: false };
  let earlyLength = -1;
  for (let i = 0; i + FRAME <= samples.length; i += FRAME) {
    const decision = vad.process(Float32Array.from(samples.slice(i, i + FRAME)));
    const t = (i + FRAME) / 16000;
    if (decision === "onset" && result.onset_s === null) result.onset_s = t;
    else if (decision && decision.early && result.end_s === null) { result.early_s = t; earlyLength = decision.early.length; }
    else if (decision && decision.utterance && result.end_s === null) {
      result.end_s = t;
      result.early_matches = decision.utterance.length === earlyLength;
    }
  }
  return result;
};

const mic = { stream: null, ctx: null, node: null, ptt: false, handsFree: false, frames: [], vad: new EnergyVad(), early: null };

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

function onFrame(frame) {
  if (mic.ptt) { mic.frames.push(frame); return; }
  if (!mic.handsFree) return;
  const decision = mic.vad.process(frame, stats.playing);
  if (decision === "onset") {
    setMicState("listening", "正在听…");
    // the onset is the first loud frame, one frame before the one that confirmed it
    page.bargeIn(performance.now() - ((EnergyVad.ONSET_FRAMES - 1) * FRAME * 1000) / 16000);
  } else if (decision && decision.early) {
    mic.early = { frames: decision.early.length, id: uploadUtterance(decision.early, true).catch(() => null) };
  } else if (decision && decision.utterance) {
    setMicState("on", "免提模式：请直接说话");
    // quiet since the early clip: the utterance is that clip, already being recognised
    const early = mic.early && mic.early.frames === decision.utterance.length ? mic.early.id : null;
    mic.early = null;
    submitUtterance(decision.utterance, early);
  }
}

function pcmOf(frames) {
  const length = frames.reduce((n, f) => n + f.length, 0);
  const pcm = new Int16Array(length);
  let offset = 0;
  for (const f of frames) {
    for (let i = 0; i < f.length; i++) pcm[offset + i] = Math.max(-32768, Math.min(32767, Math.round(f[i] * 32767)));
    offset += f.length;
  }
  return pcm;
}

async function uploadUtterance(frames, early = false) {
  const response = await fetch("/kiosk-media/utterance" + (early ? "?early=1" : ""), { method: "POST", body: pcmOf(frames).buffer, headers: { "Content-Type": "application/octet-stream" } });
  if (!response.ok) throw new Error(String(response.status));
  return (await response.json()).id;
}

async function submitUtterance(frames, earlyId = null) {
  const length = frames.reduce((n, f) => n + f.length, 0);
  if (length < 16000 * 0.3) return;
  try {
    const reused = earlyId ? await earlyId : null;
    page.pendingUtterance = reused || (await uploadUtterance(frames));
    stats.utterances += 1;
    if (reused) stats.earlyReused += 1;
    screenDirty = true;
    endShownTurns();
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
  endShownTurns(); // pressing to talk is asking again
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
  mic.vad.reset();
  mic.frames = [];
  ensureAudio();
  setMicState(mic.handsFree ? "on" : "off", mic.handsFree ? "免提模式：请直接说话" : "");
}

// ---------------------------------------------------------------- correcting a misheard question

const openDetails = new Set();

// One tap on 改一改: the understood question goes into the text box, ready to edit and send as typed.
page.retype = function (text) {
  touch();
  page.stopPlayback(false);
  const box = $("#question-box textarea");
  if (!box) return;
  box.value = text;
  box.dispatchEvent(new Event("input", { bubbles: true }));
  box.focus();
  box.setSelectionRange(text.length, text.length);
};

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
    if (screenDirty && !stats.playing && !mic.vad.inSpeech && !mic.ptt && idle >= idleSeconds()) resetScreen();
  }, 500);
  const conversation = $("#conversation");
  if (conversation) {
    // keep the newest answer in view as it streams in; unfolded 查看条文原文 parts stay unfolded on re-render
    new MutationObserver(() => {
      conversation.querySelectorAll(".exchange").forEach((ex) => {
        const more = ex.querySelector("details.answer-more");
        if (more && openDetails.has(ex.dataset.turn)) more.open = true;
      });
      conversation.scrollTop = conversation.scrollHeight;
    }).observe(conversation, { childList: true, subtree: true, characterData: true });
    conversation.addEventListener("toggle", (e) => {
      const turn = e.target.closest?.(".exchange")?.dataset.turn;
      if (turn) { if (e.target.open) openDetails.add(turn); else openDetails.delete(turn); }
    }, true);
    conversation.addEventListener("click", (e) => {
      const button = e.target.closest?.(".retype");
      if (button) page.retype(button.dataset.text || "");
    });
  }
  document.body.dataset.kioskReady = "1";
}
start();
