/* What Matters: the page's entry point. It wires the parts together; each lives in its module. */
import { route, startRouter } from './ui/router.js';
import { startChrome } from './ui/chrome.js';
import { startStatus } from './ui/status.js';
import { startUpdates } from './ui/update.js';
import { startIdleLock } from './ui/idle.js';
import { startSync } from './sync/sw-bridge.js';
import { resumeStaff } from './store/people.js';

const view = (name) => () => import(`./views/${name}.js`);

route('', view('start'));
route('setup', view('setup'));
route('sign-in', view('sign-in'));
route('open/:id', view('open'));
route('reopen', view('reopen'), 'open');
route('settings', view('settings'));
route('install', view('install'));
route('reminders', view('reminders'), 'open');
route('attention', view('attention'), 'open');
route('conflict/:collection/:id', view('conflict'), 'open');
route('home', view('home'), 'learner');
route('matters/:prompt', view('matters'), 'learner');
route('goals', view('goals'), 'learner');
route('goal/:id', view('goal'), 'learner');
route('session/:id', view('session'), 'learner');
route('sessions', view('sessions'), 'learner');
route('entry/:collection/:id', view('entry'), 'learner');
route('contributions', view('contributions'), 'learner');
route('contribution/:kind/:id', view('contribution'), 'learner');
route('reflections', view('reflections'), 'learner');
route('reflection/:id', view('reflection'), 'learner');
route('checkin/:step', view('checkin'), 'learner');
route('checkins', view('checkins'), 'learner');
route('readers', view('readers'), 'learner');
route('mentor', view('mentor'), 'mentor');
route('visit/:learner/:id', view('visit'), 'mentor');
route('hours', view('hours'), 'mentor');
route('staff', view('staff'), 'staff');
route('staff/people', view('staff-people'), 'staff');
route('staff/person/:id', view('staff-person'), 'staff');
route('staff/add/:role', view('staff-add'), 'staff');
route('staff/pairings', view('staff-pairings'), 'staff');
route('staff/tablets', view('staff-tablets'), 'staff');
route('staff/audit', view('staff-audit'), 'staff');

async function askToKeepData() {
  // Without this, Safari and a full disk may evict the journal before it is sent.
  if (navigator.storage && navigator.storage.persist && !(await navigator.storage.persisted())) {
    await navigator.storage.persist().catch(() => false);
  }
}

async function main() {
  resumeStaff(); // a member of staff who reloads the page stays signed in, in this tab
  await startChrome();
  startStatus();
  startSync();
  startIdleLock();
  await startRouter();
  askToKeepData();
  startUpdates().catch((error) => console.warn('service worker', error));
}

main();
