// Sound (WebAudio) and vibration for verdicts: two high beeps to admit, one low buzz to refuse.

let audio = null;

// Browsers start audio only after a user gesture; call this from one.
export function unlockAudio() {
  if (!audio && (window.AudioContext || window.webkitAudioContext)) {
    audio = new (window.AudioContext || window.webkitAudioContext)();
  }
  if (audio && audio.state === "suspended") audio.resume();
}

function tone(frequency, start, duration, type) {
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  oscillator.type = type;
  oscillator.frequency.value = frequency;
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.3, start + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + duration);
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start(start);
  oscillator.stop(start + duration + 0.02);
}

export function signal(admitted) {
  document.body.dataset.lastSound = admitted ? "admit" : "refuse";
  if (navigator.vibrate) navigator.vibrate(admitted ? 80 : [200, 80, 200]);
  if (!audio) return;
  const now = audio.currentTime;
  if (admitted) {
    tone(1320, now, 0.09, "sine");
    tone(1760, now + 0.12, 0.12, "sine");
  } else {
    tone(196, now, 0.45, "square");
  }
}
