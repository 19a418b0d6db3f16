/* Small charts drawn as inline SVG by our own code: horizontal bars, 100% stacked bars, small
 * line charts and an unlabelled scatter. Drawn at the width they are shown (text stays 20px),
 * readable without colour (direct labels, patterns), every one with a title and a description;
 * the page puts a table of the same figures beside each. Suppressed values are drawn as an
 * empty outline that says "not shown". */

const NS = 'http://www.w3.org/2000/svg';
const FONT = 20;
const LINE = 30;
let ids = 0;

/** An SVG element with attributes and children. */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      el.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
  }
  return el;
}

/** The patterns that tell the series of a stacked bar apart without colour. */
export const PATTERNS = ['solid', 'hatch', 'dots'];

function defs(prefix) {
  return s('defs', {},
    s('pattern', { id: `${prefix}-hatch`, width: 10, height: 10, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      s('rect', { width: 10, height: 10, class: 'paper' }),
      s('line', { x1: 0, y1: 0, x2: 0, y2: 10, class: 'ink-line', 'stroke-width': 4 })),
    s('pattern', { id: `${prefix}-dots`, width: 10, height: 10, patternUnits: 'userSpaceOnUse' },
      s('rect', { width: 10, height: 10, class: 'paper' }),
      s('circle', { cx: 5, cy: 5, r: 2.6, class: 'ink' })),
    s('pattern', { id: `${prefix}-hidden`, width: 12, height: 12, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(-45)' },
      s('rect', { width: 12, height: 12, class: 'paper' }),
      s('line', { x1: 0, y1: 0, x2: 0, y2: 12, class: 'faint-line', 'stroke-width': 2 })));
}

function frame(title, description, width, height) {
  ids += 1;
  const prefix = `chart-${ids}`;
  const svg = s('svg', {
    width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart',
    'aria-labelledby': `${prefix}-title ${prefix}-desc`, 'font-size': FONT,
  }, s('title', { id: `${prefix}-title` }, title), s('desc', { id: `${prefix}-desc` }, description), defs(prefix));
  return { svg, prefix };
}

let measure;
/** Pixel width of bold text at the chart's font size, in the page's font. */
function textWidth(text) {
  measure = measure || document.createElement('canvas').getContext('2d');
  if (!measure) return String(text).length * FONT * 0.7;
  measure.font = `bold ${FONT}px ${getComputedStyle(document.body).fontFamily}`;
  return measure.measureText(String(text)).width;
}

/** Horizontal bars, each labelled above and with its value at its end.
 * @param bars [{label, value (number or null), text (what to write), suppressed}] */
export function barChart({ title, description, bars, max, width }) {
  const top = 8;
  const row = LINE + 40;
  const height = top + bars.length * row + 8;
  const { svg, prefix } = frame(title, description, width, height);
  const room = Math.max(width - 140, 60);
  const biggest = max || Math.max(1e-9, ...bars.map((b) => b.value || 0));
  bars.forEach((bar, i) => {
    const y = top + i * row;
    svg.append(s('text', { x: 0, y: y + FONT, class: 'label' }, bar.label));
    if (bar.suppressed || bar.value === null || bar.value === undefined) {
      svg.append(s('rect', { x: 0, y: y + LINE, width: Math.min(room, 160), height: 32, fill: `url(#${prefix}-hidden)`, class: 'outline' }),
        s('text', { x: Math.min(room, 160) + 10, y: y + LINE + 24, class: 'note' }, 'not shown: fewer than 5'));
      return;
    }
    const w = Math.max(2, (bar.value / biggest) * room);
    svg.append(s('rect', { x: 0, y: y + LINE, width: w, height: 32, class: 'bar' }),
      s('text', { x: w + 10, y: y + LINE + 24, class: 'value' }, bar.text));
  });
  return svg;
}

/** 100% stacked horizontal bars, one per row (a month), series told apart by pattern, with a
 * key above and each share written in its part when it fits.
 * @param rows [{label, total, parts: {key: {value (0-1) | null, suppressed}}}]
 * @param series [{key, label}] */
export function stackedBars({ title, description, rows, series, width }) {
  const keyRows = series.length;
  const top = keyRows * LINE + 16;
  const row = LINE + 46;
  const height = top + rows.length * row + 8;
  const { svg, prefix } = frame(title, description, width, height);
  const fills = [null, `url(#${prefix}-hatch)`, `url(#${prefix}-dots)`];
  series.forEach((item, i) => {
    svg.append(s('rect', { x: 0, y: i * LINE + 4, width: 36, height: 22, class: 'bar key', fill: fills[i] }),
      s('text', { x: 46, y: i * LINE + FONT + 2, class: 'label' }, item.label));
  });
  const room = width - 4;
  rows.forEach((r, i) => {
    const y = top + i * row;
    svg.append(s('text', { x: 0, y: y + FONT, class: 'label' }, r.heading));
    const parts = series.map((item) => r.parts[item.key]);
    if (parts.some((p) => !p || p.suppressed || p.value === null)) {
      svg.append(s('rect', { x: 0, y: y + LINE, width: room, height: 36, fill: `url(#${prefix}-hidden)`, class: 'outline' }),
        s('text', { x: 12, y: y + LINE + 26, class: 'note on-hidden' }, r.hiddenText || 'not shown: fewer than 5'));
      return;
    }
    let x = 0;
    parts.forEach((part, k) => {
      const w = part.value * room;
      if (w > 0) {
        svg.append(s('rect', { x, y: y + LINE, width: w, height: 36, class: 'bar part', fill: fills[k] }));
        const text = `${Math.round(part.value * 100)}%`;
        if (w > textWidth(text) + 16) {
          svg.append(s('rect', { x: x + 4, y: y + LINE + 6, width: textWidth(text) + 8, height: 24, rx: 4, class: 'tag-back' }),
            s('text', { x: x + 8, y: y + LINE + 25, class: 'tag-text' }, text));
        }
      }
      x += w;
    });
  });
  return svg;
}

/** A small line chart of one measure over the months, on a fixed scale (e.g. 0 to 10);
 * suppressed months break the line and are marked "–". */
export function lineChart({ title, description, points, min, max, width }) {
  const height = 220;
  const left = 44;
  const bottom = height - 40;
  const topY = 16;
  const { svg } = frame(title, description, width, height);
  const step = (width - left - 30) / Math.max(points.length - 1, 1);
  const yOf = (v) => bottom - ((v - min) / (max - min)) * (bottom - topY);
  svg.append(s('line', { x1: left, y1: bottom, x2: width - 10, y2: bottom, class: 'axis' }));
  for (const tick of [min, (min + max) / 2, max]) {
    svg.append(s('text', { x: left - 8, y: yOf(tick) + 7, class: 'tick', 'text-anchor': 'end' }, String(tick)),
      s('line', { x1: left, y1: yOf(tick), x2: width - 10, y2: yOf(tick), class: 'grid' }));
  }
  const segments = [[]];
  points.forEach((p, i) => {
    const x = left + 10 + i * step;
    svg.append(s('text', { x, y: height - 8, class: 'tick', 'text-anchor': 'middle' }, p.short));
    if (p.value === null || p.value === undefined) {
      svg.append(s('text', { x, y: bottom - 10, class: 'note', 'text-anchor': 'middle' }, '–'));
      segments.push([]);
      return;
    }
    segments[segments.length - 1].push([x, yOf(p.value)]);
  });
  const d = segments.filter((seg) => seg.length > 1)
    .map((seg) => `M${seg.map(([x, y]) => `${x},${y}`).join(' L')}`).join(' ');
  if (d) svg.append(s('path', { d, class: 'line' }));
  for (const [x, y] of segments.flat()) svg.append(s('circle', { cx: x, cy: y, r: 6, class: 'dot' }));
  return svg;
}

/** One unlabelled point per learner: minutes a week across, change in feeling up. */
export function scatter({ title, description, points, xLabel, yLabel, width }) {
  const height = 360;
  const left = 64;
  const bottom = height - 70;
  const topY = 16;
  const right = width - 16;
  const { svg } = frame(title, description, width, height);
  const xMax = Math.max(60, ...points.map((p) => p.x));
  const niceX = Math.ceil(xMax / 30) * 30;
  const xOf = (v) => left + (v / niceX) * (right - left);
  const yOf = (v) => bottom - ((v + 4) / 8) * (bottom - topY);
  for (const tick of [-4, -2, 0, 2, 4]) {
    svg.append(s('line', { x1: left, y1: yOf(tick), x2: right, y2: yOf(tick), class: tick === 0 ? 'axis' : 'grid' }),
      s('text', { x: left - 10, y: yOf(tick) + 7, class: 'tick', 'text-anchor': 'end' }, tick > 0 ? `+${tick}` : String(tick)));
  }
  const ticks = [0, niceX / 3, (2 * niceX) / 3, niceX];
  for (const tick of ticks) {
    svg.append(s('text', { x: xOf(tick), y: bottom + 30, class: 'tick', 'text-anchor': 'middle' }, String(Math.round(tick))));
  }
  svg.append(s('line', { x1: left, y1: bottom, x2: right, y2: bottom, class: 'axis' }),
    s('text', { x: (left + right) / 2, y: height - 6, class: 'label', 'text-anchor': 'middle' }, xLabel),
    s('text', { x: 0, y: 0, class: 'label', transform: `translate(20 ${(topY + bottom) / 2}) rotate(-90)`, 'text-anchor': 'middle' }, yLabel));
  for (const p of points) {
    svg.append(s('circle', { cx: xOf(p.x), cy: yOf(p.y), r: 8, class: 'point' }));
  }
  return svg;
}
