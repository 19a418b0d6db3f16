/* Read-aloud (speech synthesis) of any entry, and dictation where the browser has it. */
import { h } from './dom.js';
import { setting, setSetting } from '../store/settings.js';
import { deviceWord } from './flash.js';

const Recognition = globalThis.SpeechRecognition || globalThis.webkitSpeechRecognition;

/** A "Read aloud" button that reads `text()` and can stop; if the device cannot speak, it
 * says so beside the button. */
export function readAloudButton(text, label = 'Read aloud') {
  if (!('speechSynthesis' in globalThis)) return null;
  const button = h('button', { type: 'button', class: 'button secondary read-aloud' }, label);
  let problem = null;
  const cannotSpeak = () => {
    problem = problem || h('p', { class: 'problem', role: 'alert' });
    problem.textContent = `This ${deviceWord()} cannot read aloud just now.`;
    (button.closest('.actions') || button).after(problem);
  };
  button.addEventListener('click', async () => {
    if (speechSynthesis.speaking) {
      speechSynthesis.cancel();
      button.textContent = label;
      return;
    }
    if (problem) problem.remove();
    const utterance = new SpeechSynthesisUtterance(typeof text === 'function' ? text() : text);
    utterance.lang = 'en-GB';
    utterance.rate = await setting('speechRate');
    utterance.onend = () => { button.textContent = label; };
    // A device with no voice at all (no speech engine installed) fails with 'synthesis-failed'
    // or similar; 'interrupted' and 'canceled' are only "Stop reading".
    utterance.onerror = (event) => {
      button.textContent = label;
      if (event.error !== 'interrupted' && event.error !== 'canceled') cannotSpeak();
    };
    button.textContent = 'Stop reading';
    speechSynthesis.speak(utterance);
  });
  return button;
}

/** A "Speak instead of typing" button for a text box, or null without speech recognition. */
export function dictationButton(input) {
  if (!Recognition) return null;
  const button = h('button', { type: 'button', class: 'button secondary dictate' }, 'Speak instead of typing');
  const note = h('div', { class: 'note', hidden: true });
  let listening = null;
  const stop = () => {
    if (listening) listening.stop();
  };
  const start = () => {
    const rec = new Recognition();
    rec.lang = 'en-GB';
    rec.interimResults = false;
    rec.continuous = true;
    rec.onresult = (event) => {
      const words = [...event.results].slice(event.resultIndex).map((r) => r[0].transcript).join(' ').trim();
      if (words) {
        input.value = input.value ? `${input.value.replace(/\s+$/, '')} ${words}` : words;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }
    };
    rec.onend = () => { listening = null; button.textContent = 'Speak instead of typing'; };
    rec.onerror = () => rec.onend();
    listening = rec;
    button.textContent = 'Stop listening';
    rec.start();
  };
  button.addEventListener('click', async () => {
    if (listening) return stop();
    if (await setting('dictationOk')) return start();
    // The browser's maker may turn speech into text on its own servers: say so, once.
    note.hidden = false;
    note.replaceChildren(
      h('p', {}, 'Your web browser turns your speech into text. It may send the sound of your voice to the company that made it. Is that all right?'),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button', onclick: async () => { await setSetting('dictationOk', true); note.hidden = true; start(); } }, 'Yes, start listening'),
        h('button', { type: 'button', class: 'button secondary', onclick: () => { note.hidden = true; button.focus(); } }, 'No, I will type')));
    note.querySelector('button').focus();
  });
  return h('div', { class: 'dictation' }, button, note);
}
