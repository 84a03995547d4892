// The triage screen's sound and browser notification for new critical alerts: off unless this browser turned it on.
const key = "opsconsole.alerts.sound";
let audio = null;

export function isEnabled() {
  try {
    return localStorage.getItem(key) === "on";
  } catch {
    return false;
  }
}

// Remembers the choice; turning it on asks for permission to show notifications (sound works without it).
export async function setEnabled(on) {
  try {
    localStorage.setItem(key, on ? "on" : "off");
  } catch {
    // Storage disabled: the choice lasts for this page only.
  }
  if (on && "Notification" in window && Notification.permission === "default") {
    try {
      await Notification.requestPermission();
    } catch {
      // The browser refused to ask; the sound still plays.
    }
  }
  return on && "Notification" in window ? Notification.permission : "unavailable";
}

function beep() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) {
    return;
  }
  audio ??= new Ctx();
  const now = audio.currentTime;
  for (const [offset, freq] of [[0, 880], [0.18, 660]]) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, now + offset);
    gain.gain.exponentialRampToValueAtTime(0.25, now + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.15);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + offset);
    osc.stop(now + offset + 0.16);
  }
}

// A new critical alert arrived: a short two-tone sound, and a notification when the browser allows one.
export function announce(title, body, url) {
  try {
    beep();
  } catch {
    // Audio blocked until the user interacts with the page.
  }
  if ("Notification" in window && Notification.permission === "granted") {
    const n = new Notification(title, { body, tag: url, icon: "/favicon.svg" });
    n.onclick = () => {
      window.focus();
      window.location.assign(url);
    };
  }
}
