// What a form's photo, signature, voice note and place are made of, in the browser, before anything is kept:
// - a photo is opened and, when its longest side is over the field's max-pixels (or the file over the hub's
//   size limit), drawn smaller and saved as JPEG, so the hub's limit is met before the person finishes;
// - a signature is drawn with a finger (or the mouse) on a canvas and saved as PNG; typing the name instead
//   draws the name, so a keyboard alone can sign;
// - a voice note is recorded with MediaRecorder (no time limit);
// - a place comes from navigator.geolocation with high accuracy. Browsers do not say whether a place is
//   mocked, so the app sends "mock": false (docs/forms.md).
// Kept files go into the phone's IndexedDB ("files", by SHA-256), as a message's photo does (uploads.js).
import { hex, sha256 } from "../bytes.js";
import * as db from "../db.js";
import { photoType, voiceType } from "../uploads.js";
import { N_ } from "../words.js";

const SMALLER_SIDES = [2048, 1600, 1200, 800];
const JPEG_QUALITY = 0.85;

function toBlob(canvas, type, quality) {
  return new Promise((resolve) => canvas.toBlob(resolve, type, quality));
}

function drawn(source, width, height) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext("2d");
  g.fillStyle = "#fff"; // a JPEG has no transparency: white, as paper
  g.fillRect(0, 0, width, height);
  g.drawImage(source, 0, 0, width, height);
  return canvas;
}

const fitted = (width, height, most) => {
  const scale = Math.min(1, most / Math.max(width, height));
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
};

// A chosen photo made ready for the field: {blob, type, bytes, width, height, scaled} or {problem: msgid}.
export async function photoFor(file, maxPixels, limitBytes) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const type = photoType(bytes); // null for a picture the hub does not take (HEIC, say): redrawn as JPEG if it opens
  let bitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes], { type: type || file.type || "" }));
  } catch {
    return { problem: type ? N_("This photo could not be opened. Choose another one.")
      : N_("This is not a photo (JPEG, PNG or WebP). Choose a photo.") };
  }
  try {
    const { width, height } = bitmap;
    if (type && (!maxPixels || Math.max(width, height) <= maxPixels) && bytes.length <= limitBytes) {
      return { blob: new Blob([bytes], { type }), type, bytes: bytes.length, width, height, scaled: false };
    }
    const longest = Math.max(width, height);
    const first = Math.min(maxPixels || longest, longest);
    const sides = [first, ...SMALLER_SIDES.filter((s) => s < first)];
    for (const side of sides) {
      const [w, h] = fitted(width, height, side);
      const blob = await toBlob(drawn(bitmap, w, h), "image/jpeg", JPEG_QUALITY);
      if (blob && blob.size <= limitBytes) return { blob, type: "image/jpeg", bytes: blob.size, width: w, height: h, scaled: w !== width || h !== height };
    }
    return { problem: N_("This photo could not be made small enough to send. Choose another one.") };
  } finally {
    bitmap.close();
  }
}

// A canvas as a PNG no bigger than `most` pixels on its longest side (where the field says).
export async function canvasPng(canvas, most) {
  const [w, h] = most ? fitted(canvas.width, canvas.height, most) : [canvas.width, canvas.height];
  const source = w === canvas.width && h === canvas.height ? canvas : drawn(canvas, w, h);
  const blob = await toBlob(source, "image/png");
  return { blob, type: "image/png", bytes: blob.size, width: w, height: h };
}

// A signature pad: a canvas the person draws on with a finger, a stylus or the mouse. `changed()` after each line.
export function signaturePad(canvas, changed) {
  const g = canvas.getContext("2d");
  let strokes = 0;
  let last = null;
  const clear = () => {
    g.fillStyle = "#fff";
    g.fillRect(0, 0, canvas.width, canvas.height);
    strokes = 0;
  };
  clear();
  const at = (event) => {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * (canvas.width / box.width), (event.clientY - box.top) * (canvas.height / box.height)];
  };
  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    last = at(event);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!last) return;
    const next = at(event);
    g.strokeStyle = "#0b0c0c";
    g.lineWidth = Math.max(3, canvas.width / 150);
    g.lineCap = g.lineJoin = "round";
    g.beginPath();
    g.moveTo(...last);
    g.lineTo(...next);
    g.stroke();
    last = next;
    strokes += 1;
  });
  const end = () => {
    if (!last) return;
    last = null;
    changed();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  // A drawing kept from before (the screen drawn again, in another language): put back as it was.
  const restore = (image) => {
    g.putImageData(image, 0, 0);
    strokes = 1;
  };
  return { clear, restore, drawn: () => strokes > 0 };
}

// A typed name drawn as a signature (the keyboard's way to sign): a canvas of the name, as a PNG.
export function typedSignature(name, width, height) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext("2d");
  g.fillStyle = "#fff";
  g.fillRect(0, 0, width, height);
  g.fillStyle = "#0b0c0c";
  let size = Math.round(height / 3);
  g.font = `italic ${size}px serif`;
  while (size > 10 && g.measureText(name).width > width * 0.9) {
    size -= 2;
    g.font = `italic ${size}px serif`;
  }
  g.textBaseline = "middle";
  g.fillText(name, width * 0.05, height / 2);
  return canvas;
}

// A voice recorder: start() asks for the microphone; stop() resolves to the recording (a Blob) or null.
export function recorder() {
  let media = null;
  let finished = null;
  return {
    get recording() { return Boolean(media && media.state === "recording"); },
    async start() {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const parts = [];
      media = new MediaRecorder(stream);
      finished = new Promise((resolve) => {
        media.ondataavailable = (event) => { if (event.data && event.data.size) parts.push(event.data); };
        media.onstop = () => {
          stream.getTracks().forEach((track) => track.stop());
          resolve(parts.length ? new Blob(parts, { type: media.mimeType || "audio/webm" }) : null);
        };
      });
      media.start();
    },
    stop() {
      if (media && media.state === "recording") media.stop();
      return finished || Promise.resolve(null);
    },
  };
}

export const canRecord = () => typeof MediaRecorder === "function" && Boolean(navigator.mediaDevices
  && navigator.mediaDevices.getUserMedia);

// Watch the place with high accuracy: onFix({lat, lon, altitude?, accuracy, mock: false}) for each fix the phone
// gives, onError(code) when it cannot (1 not allowed, 2 unavailable); returns a function that stops watching.
// No timeout: the person waits as long as they like, and the screen stops at the form's capture accuracy.
export function watchPlace(onFix, onError) {
  if (!navigator.geolocation) {
    onError(2);
    return () => {};
  }
  const id = navigator.geolocation.watchPosition((position) => {
    const c = position.coords;
    const fix = { lat: c.latitude, lon: c.longitude, accuracy: Math.round(c.accuracy * 10) / 10, mock: false };
    if (typeof c.altitude === "number" && Number.isFinite(c.altitude)) fix.altitude = c.altitude;
    onFix(fix);
  }, (error) => onError(error.code), { enableHighAccuracy: true, maximumAge: 0 });
  return () => navigator.geolocation.clearWatch(id);
}

// Keep a file on the phone (IndexedDB "files", by SHA-256): its reference for the submission, {sha256, type, bytes}.
// The type is read from the first bytes, as the hub reads it (wire/media.py).
export async function keepFile(blob, voice = false) {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const type = voice ? voiceType(bytes) : photoType(bytes);
  if (!type) return { problem: voice ? N_("The voice note could not be kept. Record it again.") : N_("This is not a photo (JPEG, PNG or WebP). Choose a photo.") };
  const ref = { sha256: hex(await sha256(bytes)), type, bytes: bytes.length };
  await db.put("files", new Blob([bytes], { type }), ref.sha256);
  return { ref };
}
