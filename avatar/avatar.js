// The drawn face: 9 mouth shapes, blinking, slight idle motion, and a nod for the greeting.
// Lip sync follows TimingMark visemes when a clip has them, else the loudness of the audio being played.
window.KioskAvatar = class KioskAvatar {
  static SHAPES = {
    rest: "M175 262 Q200 272 225 262 Q200 266 175 262 Z",
    A: "M172 258 Q200 252 228 258 Q224 300 200 302 Q176 300 172 258 Z",
    O: "M182 254 Q200 246 218 254 Q226 276 200 292 Q174 276 182 254 Z",
    E: "M170 260 Q200 254 230 260 Q222 282 200 284 Q178 282 170 260 Z",
    I: "M166 262 Q200 256 234 262 Q222 276 200 277 Q178 276 166 262 Z",
    U: "M188 258 Q200 252 212 258 Q216 272 200 280 Q184 272 188 258 Z",
    M: "M174 264 Q200 266 226 264 Q200 268 174 264 Z",
    F: "M172 262 Q200 256 228 262 Q200 274 172 262 Z",
    S: "M170 262 Q200 258 230 262 Q218 272 200 273 Q182 272 170 262 Z",
  };

  constructor(root) {
    this.root = root;
    this.mouth = root.querySelector("#av-mouth");
    this.head = root.querySelector("#av-head");
    this.eyes = Array.from(root.querySelectorAll(".av-eye"));
    this.shape = "rest";
    this.nodUntil = 0;
    this.level = null; // () => loudness in [0, 1] while audio without marks plays
    this.marks = null; // {startCtxTime, ctx, list: [[start, end, shape], ...]}
    this._tick = this._tick.bind(this);
    requestAnimationFrame(this._tick);
    this._scheduleBlink();
  }

  setShape(name) {
    const shape = KioskAvatar.SHAPES[name] ? name : "rest";
    if (shape !== this.shape) {
      this.mouth.setAttribute("d", KioskAvatar.SHAPES[shape]);
      this.shape = shape;
      this.root.dataset.mouth = shape;
    }
  }

  speakWithMarks(ctx, startTime, marks) { this.marks = { ctx, startTime, list: marks }; this.level = null; }
  speakWithLevel(levelFn) { this.level = levelFn; this.marks = null; }
  silence() { this.marks = null; this.level = null; this.setShape("rest"); }
  nod() { this.nodUntil = performance.now() + 1200; }

  _tick(now) {
    if (this.marks) {
      const t = this.marks.ctx.currentTime - this.marks.startTime;
      const mark = this.marks.list.find(([s, e]) => t >= s && t < e);
      this.setShape(mark ? mark[2] : "rest");
    } else if (this.level) {
      const v = this.level();
      this.setShape(v > 0.5 ? "A" : v > 0.3 ? "E" : v > 0.15 ? "O" : v > 0.06 ? "M" : "rest");
    }
    const sway = Math.sin(now / 1700) * 1.6;
    const bob = Math.sin(now / 1100) * 1.2;
    const nod = now < this.nodUntil ? Math.sin(((this.nodUntil - now) / 1200) * Math.PI * 2) * 4 : 0;
    this.head.setAttribute("transform", `translate(0 ${(bob + nod).toFixed(2)}) rotate(${sway.toFixed(2)} 200 300)`);
    requestAnimationFrame(this._tick);
  }

  _scheduleBlink() {
    setTimeout(() => {
      this.eyes.forEach((eye) => eye.classList.add("blink"));
      this.root.dataset.blinks = String(Number(this.root.dataset.blinks || 0) + 1);
      setTimeout(() => this.eyes.forEach((eye) => eye.classList.remove("blink")), 140);
      this._scheduleBlink();
    }, 2500 + Math.random() * 3000);
  }
};
