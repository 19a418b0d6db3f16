/* Five plain line faces, always with words: how someone felt, from very low to very good. */
import { svg } from './dom.js';

const MOUTHS = {
  1: 'M15 34 Q24 25 33 34',
  2: 'M16 33 Q24 29 32 33',
  3: 'M16 31 L32 31',
  4: 'M16 30 Q24 35 32 30',
  5: 'M15 29 Q24 39 33 29',
};

/** The face for a feeling from 1 (very low) to 5 (very good), as an SVG element. */
export function face(level, className = 'face') {
  return svg(`<svg viewBox="0 0 48 48" width="48" height="48">
    <circle cx="24" cy="24" r="21" fill="none" stroke="currentColor" stroke-width="2.5"/>
    <circle cx="17" cy="19" r="2.4" fill="currentColor"/>
    <circle cx="31" cy="19" r="2.4" fill="currentColor"/>
    <path d="${MOUTHS[level]}" fill="none" stroke="currentColor" stroke-width="2.8" stroke-linecap="round"/>
  </svg>`, className);
}
