/* Something I shared, taught or helped with; or a "learn from me" offer. */
import { h, today } from '../ui/dom.js';
import { textField, choices, visibilityField, keepDraft, formValues, actions, showProblem, keptHere } from '../ui/forms.js';
import { get, write } from '../store/records.js';
import { CONTRIBUTION_KINDS } from '../ui/words.js';
import { flash, savedHere } from '../ui/flash.js';

export default async function contribution({ params, s, go }) {
  const offer = params.kind === 'offer';
  const existing = params.id !== 'new' ? await get(s, 'contributions', params.id) : null;
  const f = existing ? existing.fields : {};
  const form = h('form', { novalidate: true },
    offer ? null : choices({ legend: 'What did you do?', name: 'kind', options: CONTRIBUTION_KINDS, value: f.kind || 'helped' }),
    textField({ label: offer ? 'What could you teach or share?' : 'What was it?', name: 'what', value: f.what || '', maxlength: 500,
      hint: offer ? 'For example: knitting, growing tomatoes, the history of the town.' : 'For example: I showed Ada how to use the tablet.' }),
    offer ? null : textField({ label: 'Who with? (if you like)', name: 'with_whom', value: f.with_whom || '', maxlength: 500 }),
    textField({ label: 'A note (if you like)', name: 'note', value: f.note || '', lines: 3 }),
    visibilityField(f.visibility),
    actions('Save', ['#/contributions', 'Back']));
  const draft = await keepDraft(form, s, `contribution:${params.kind}:${params.id}`);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = formValues(form);
    if (!v.what.trim()) return showProblem(form, offer ? 'Please say what you could teach.' : 'Please say what you did.');
    const fields = { ...v, kind: offer ? 'offer' : v.kind, what: v.what.trim(), note: v.note.trim() || null };
    if (!offer) fields.with_whom = v.with_whom.trim() || null;
    if (!existing) fields.date = today();
    if (!await keptHere(form, () => write(s, 'contributions', existing ? existing.id : null, fields))) return;
    await draft.clear();
    flash(savedHere());
    return go('contributions');
  });
  const title = offer ? 'Something I could teach' : 'Something I did for someone';
  return { title, node: h('div', {}, h('h1', {}, title), form) };
}
