/* The journal closes itself after a while unused (a setting), keeping any draft. It is not a
 * time limit on a task: nothing is lost, and the person opens it again with their tile. */
import { setting } from '../store/settings.js';
import { session } from '../store/people.js';
import { switchPerson } from './chrome.js';

let last = Date.now();

/** Watch for a journal left open. */
export function startIdleLock() {
  for (const name of ['pointerdown', 'keydown', 'input', 'scroll', 'touchstart']) {
    document.addEventListener(name, () => { last = Date.now(); }, { capture: true, passive: true });
  }
  setInterval(async () => {
    if (!session()) return;
    const minutes = await setting('lockMinutes');
    if (minutes && Date.now() - last > minutes * 60 * 1000) switchPerson();
  }, 15 * 1000);
}
