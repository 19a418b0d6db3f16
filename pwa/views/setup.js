/* Set up this tablet: staff paste (or scan) the tablet's key once; the tiles then appear. */
import { h } from '../ui/dom.js';
import { textField, showProblem } from '../ui/forms.js';
import { deviceKey, setDeviceKey, forgetDeviceKey, setSetting } from '../store/settings.js';
import { api } from '../sync/api.js';

async function scanInto(input, form) {
  // BarcodeDetector exists on Android Chrome and recent Safari; elsewhere staff paste the key.
  const video = h('video', { playsinline: true, muted: true, 'aria-label': 'Camera' });
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
  video.srcObject = stream;
  form.append(video);
  await video.play();
  const detector = new BarcodeDetector({ formats: ['qr_code'] });
  const stop = () => { stream.getTracks().forEach((t) => t.stop()); video.remove(); };
  for (let i = 0; i < 300; i += 1) {
    const codes = await detector.detect(video).catch(() => []);
    if (codes.length) {
      input.value = codes[0].rawValue.trim();
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  stop();
}

export default async function setup({ go }) {
  const current = await deviceKey();
  const field = textField({ label: 'The tablet key', name: 'key', autocomplete: 'off',
    hint: 'Staff find it where they added this tablet. It starts with "dev_".' });
  const input = field.querySelector('input');
  const form = h('form', { novalidate: true }, field,
    'BarcodeDetector' in globalThis && navigator.mediaDevices ? h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: () => scanInto(input, form).catch(() => showProblem(form, 'The camera could not be used. Please paste the key instead.')) }, 'Scan the code with the camera')) : null,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button main' }, 'Save and show the people'),
      h('a', { href: '#/', class: 'button secondary' }, 'Back')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (key.length < 10) return showProblem(form, 'Please paste the whole key.');
    try {
      const tiles = await api('/api/auth/tiles', { method: 'POST', body: { device_key: key } });
      await setSetting('tiles', tiles);
    } catch (error) {
      if (error.error !== 'offline') return showProblem(form, 'That key was not accepted. Please check it and try again.');
      // Offline: keep it; the tiles appear once the tablet is online.
    }
    await setDeviceKey(key);
    return go('');
  });
  const forget = current ? h('div', {}, h('h2', {}, 'Stop using this tablet for the home'),
    h('p', {}, 'The journals kept on this tablet stay locked; nothing unsent is deleted.'),
    h('button', { type: 'button', class: 'button danger', onclick: async () => { await forgetDeviceKey(); await setSetting('tiles', null); go(''); } }, 'Forget the tablet key')) : null;
  return { title: 'Set up this tablet', node: h('div', {},
    h('h1', {}, 'Set up this tablet'),
    h('p', {}, current ? 'This tablet is set up. You can give it a new key here.' : 'For staff: this is done once for each tablet.'),
    form, forget) };
}
