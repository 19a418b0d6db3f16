/* The app's plain words for the journal's coded values (backend/journal/schemas.py). */
import { longDate } from './dom.js';

export const VISIBILITY = [
  ['private', 'Only me'],
  ['mentor', 'Me and my mentor'],
  ['care_team', 'Me, my mentor and the care team'],
];
export const WHOSE_IDEA = [
  ['suggested', 'Someone suggested it'],
  ['agreed', 'We agreed together'],
  ['own', 'My own idea'],
];
export const GOAL_STATUS = [
  ['active', 'I am working on it'],
  ['achieved', 'I have done it'],
  ['paused', 'On hold for now'],
  ['let_go', 'I have let it go'],
];
export const WITH_WHOM = [
  ['alone', 'On my own'],
  ['mentor', 'With my mentor'],
  ['group', 'In a group'],
];
export const CONTRIBUTION_KINDS = [
  ['shared', 'I shared something'],
  ['taught', 'I taught someone'],
  ['helped', 'I helped someone'],
];
export const BENEFITS = [
  ['new_things', 'Learning new things'],
  ['mind_active', 'Keeping my mind active'],
  ['body_active', 'Keeping my body active'],
  ['world', 'Learning about the world'],
  ['creative', 'Being creative'],
  ['life_story', 'Reflecting on my life'],
  ['independence', 'Keeping my independence'],
  ['everyday_skills', 'Skills for everyday life'],
  ['understanding_others', 'Understanding other people'],
  ['contributing', 'Contributing and feeling useful'],
];
export const FEELINGS = [
  [1, 'Very low'],
  [2, 'Low'],
  [3, 'Okay'],
  [4, 'Good'],
  [5, 'Very good'],
];
export const DURATIONS = [
  [15, '15 minutes'],
  [30, '30 minutes'],
  [45, '45 minutes'],
  [60, '1 hour'],
  [90, '1½ hours'],
  [120, '2 hours'],
];
export const PROMPTS = [
  ['needs', 'What I need', 'What do you need, to live the way you want?'],
  ['preferences', 'What I like and how I like it', 'What do you enjoy? How do you like things done?'],
  ['resources', 'What I bring', 'Your skills, your experience, what you know about.'],
  ['networks', 'My people and places', 'Family, friends, groups and places that matter to you.'],
];
/** The four ONS personal wellbeing questions, asked one at a time and never added up. */
export const ONS4 = [
  ['life_satisfaction', 'Overall, how satisfied are you with your life nowadays?'],
  ['worthwhile', 'Overall, to what extent do you feel that the things you do in your life are worthwhile?'],
  ['happy', 'Overall, how happy did you feel yesterday?'],
  ['anxious', 'Overall, how anxious did you feel yesterday?'],
];

/** The words for a coded value, from one of the lists above. */
export function wordFor(list, value) {
  const found = list.find(([v]) => v === value);
  return found ? found[1] : '';
}

/** What each kind of entry is called, for conflicts and refused changes ("A goal: …"). */
export const KIND = { goals: 'A goal', sessions: 'Something you did', contributions: 'Something for others',
  reflections: 'Your thoughts', checkins: 'A check-in', profile: 'What matters to me' };

/** What each field is called, for conflicts and refused changes. */
export const FIELD_NAMES = {
  title: 'The goal', why: 'Why it matters', whose_idea: 'Whose idea it was', status: 'How it is going',
  benefits: 'What it is good for', visibility: 'Who can see it', activity: 'What I did', minutes: 'How long',
  with_whom: 'Who with', feeling_before: 'How I felt before', feeling_after: 'How I felt after',
  note: 'The note', text: 'My words', quote_consent: 'May be quoted', what: 'What it was', kind: 'What kind',
  needs: 'What I need', preferences: 'What I like', resources: 'What I bring', networks: 'My people and places',
  date: 'The day', goal_ids: 'Goals it helped', learner_response: 'My answer', achieved_on: 'Done on',
  life_satisfaction: 'Life satisfaction', worthwhile: 'Worthwhile', happy: 'Happy yesterday', anxious: 'Anxious yesterday',
  _deleted: 'Deleted',
};

const CODED = { visibility: VISIBILITY, whose_idea: WHOSE_IDEA, status: GOAL_STATUS, with_whom: WITH_WHOM, kind: CONTRIBUTION_KINDS, feeling_before: FEELINGS, feeling_after: FEELINGS };

const DAYS = ['date', 'achieved_on'];

/** A field's value in words. */
export function valueWords(name, value) {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (CODED[name]) return wordFor(CODED[name], value) || String(value);
  if (name === 'benefits' && Array.isArray(value)) return value.map((v) => wordFor(BENEFITS, v)).join(', ') || '(none)';
  if (name === 'minutes') return `${value} minutes`;
  // a day as everywhere else in the app: "Sunday 29 November", never "2026-11-29"
  if (DAYS.includes(name) && /^\d{4}-\d\d-\d\d$/.test(value)) return longDate(value);
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (Array.isArray(value)) return `${value.length} chosen`;
  return String(value);
}
