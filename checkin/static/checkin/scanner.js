// Camera scanning: the platform's BarcodeDetector where it exists (Android), else jsQR (npm,
// served from node_modules as a static file and loaded as a classic script: window.jsQR).

const FRAME_INTERVAL_MS = 120;
const REPEAT_AFTER_MS = 2500; // the same code held in view reports once, then again after this

export class Scanner {
  constructor(video, onCode) {
    this.video = video;
    this.onCode = onCode;
    this.stream = null;
    this.timer = null;
    this.canvas = document.createElement("canvas");
    this.context = this.canvas.getContext("2d", { willReadFrequently: true });
    this.detector = null;
    this.last = { text: "", at: 0 };
  }

  get running() {
    return this.stream !== null;
  }

  async start() {
    if (this.running) return;
    if (!navigator.mediaDevices?.getUserMedia) throw new Error("This browser has no camera access.");
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes("qr_code")) this.detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      } catch {
        this.detector = null;
      }
    }
    if (!this.detector && typeof window.jsQR !== "function") {
      throw new Error("The QR decoder did not load.");
    }
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
    this.video.srcObject = this.stream;
    await this.video.play();
    this.loop();
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    this.video.srcObject = null;
  }

  loop() {
    this.timer = setTimeout(async () => {
      if (!this.running) return;
      try {
        const text = await this.decodeFrame();
        if (text !== null) this.report(text);
      } catch (error) {
        console.warn("QR decoding failed", error);
      }
      if (this.running) this.loop();
    }, FRAME_INTERVAL_MS);
  }

  report(text) {
    const now = Date.now();
    if (text === this.last.text && now - this.last.at < REPEAT_AFTER_MS) {
      this.last.at = now;
      return;
    }
    this.last = { text, at: now };
    this.onCode(text);
  }

  async decodeFrame() {
    const video = this.video;
    if (video.readyState < 2 || !video.videoWidth) return null;
    if (this.detector) {
      const found = await this.detector.detect(video);
      return found.length ? found[0].rawValue : null;
    }
    // Scale the frame down to at most 800 px: plenty for a ticket code, and quick to decode.
    const scale = Math.min(1, 800 / Math.max(video.videoWidth, video.videoHeight));
    const width = Math.round(video.videoWidth * scale);
    const height = Math.round(video.videoHeight * scale);
    this.canvas.width = width;
    this.canvas.height = height;
    this.context.drawImage(video, 0, 0, width, height);
    const image = this.context.getImageData(0, 0, width, height);
    const code = window.jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
    return code ? code.data : null;
  }
}
