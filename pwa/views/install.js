/* On an iPad or iPhone: how to add What Matters to the Home Screen (Safari keeps its data longer
 * for an app on the Home Screen, and it opens full screen). */
import { h } from '../ui/dom.js';

/** Whether this is Safari on an iPad or iPhone, not yet opened from the Home Screen. */
export function isAppleTablet() {
  const apple = /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
  return apple && !navigator.standalone;
}

export default async function install() {
  return { title: 'Put What Matters on the Home Screen', node: h('div', {},
    h('h1', {}, 'Put What Matters on the Home Screen'),
    h('p', {}, 'Then it opens like any other app, even with no internet, and the iPad keeps your journal safe for longer.'),
    h('ol', {},
      h('li', {}, 'Tap the Share button at the top of the screen (a square with an arrow pointing up).'),
      h('li', {}, 'Scroll down and tap "Add to Home Screen".'),
      h('li', {}, 'Tap "Add". What Matters is now on the Home Screen.')),
    h('div', { class: 'actions' }, h('a', { href: '#/', class: 'button secondary' }, 'Back'))) };
}
