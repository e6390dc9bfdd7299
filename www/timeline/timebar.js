// The timeline bar above the scrubber: monitor states shaded along the replay
// (split brain, unavailable, all down, data lost, clients impaired, the instant data was
// destroyed), chapter marks from the
// scenario's timeline (their numbers are HTML buttons over it), state changes as ticks, squeezed quiet stretches, and the
// cursor. Pure drawing: positions come from the time-warp.
import { fractionOf, squeezed } from './warp.js';
import { SHADE, STEP } from '../lib/run-layout.js';

export const SHADES = [
  { key: 'split', label: 'split brain' },
  { key: 'unavailable', label: 'unavailable' },
  { key: 'down', label: 'all members down' },
  { key: 'lost', label: 'data lost' },
  { key: 'clients', label: 'clients impaired' },
  { key: 'destroyed', label: 'data destroyed' },
];

/**
 * @param ctx 2D context in CSS pixels
 * @param o { width, height, warp, shades: Float64Array [shade, from, to]...,
 *            steps: Float64Array [t, index]..., moments, tUs, colours }
 */
export function drawTimebar(ctx, { width, height, warp, shades, variantShades, steps, moments, tUs, colours }) {
  const x = (t) => fractionOf(warp, t) * width;
  ctx.fillStyle = colours.track;
  ctx.fillRect(0, 0, width, height);

  // Squeezed quiet stretches: a faint zigzag so nobody mistakes them for real pace.
  ctx.strokeStyle = colours.muted;
  ctx.lineWidth = 1;
  for (const q of squeezed(warp)) {
    const a = x(q.fromUs), b = x(q.toUs);
    ctx.beginPath();
    for (let px = a, up = true; px <= b; px += 4, up = !up) ctx.lineTo(px, height - (up ? 3 : 7));
    ctx.stroke();
  }

  // Monitor states: history in the upper half, the viewer's version in the lower
  // half when it differs (so the change shows along time, not only in totals).
  const band = (data, top, h) => {
    for (let i = 0; i + SHADE.STRIDE <= data.length; i += SHADE.STRIDE) {
      const shade = data[i + SHADE.KIND];
      ctx.fillStyle = colours.shades[shade] ?? colours.muted;
      const a = x(data[i + SHADE.START_US]), b = Math.max(x(data[i + SHADE.END_US]), a + 1.5);
      // The lost-data window overlaps the split brain that caused it: draw it as
      // a strip along the band's bottom so both stay visible.
      if (shade === 3) ctx.fillRect(a, top + h - 4, b - a, 4);
      // Clients impaired spans whole stretches of the others: a strip along the top.
      else if (shade === 4) ctx.fillRect(a, top, b - a, 4);
      // The instant data was destroyed: a bold mark across the band.
      else if (shade === 5) ctx.fillRect(a - 1.5, top, 3, h);
      else ctx.fillRect(a, top, b - a, h);
    }
  };
  if (variantShades) {
    band(shades, 2, (height - 12) / 2);
    band(variantShades, 2 + (height - 12) / 2, (height - 12) / 2);
  } else {
    band(shades, 2, height - 12);
  }

  // State changes: ticks along the bottom edge.
  ctx.fillStyle = colours.muted;
  for (const t of moments) ctx.fillRect(Math.round(x(t)), height - 9, 1, 4);

  // Chapters: a taller mark (their numbers are buttons over the bar: app/player/chapter-marks.js).
  ctx.fillStyle = colours.text;
  for (let i = 0; i + STEP.STRIDE <= steps.length; i += STEP.STRIDE) ctx.fillRect(Math.round(x(steps[i + STEP.T_US])), 0, 1.5, height - 4);

  // The cursor.
  const c = x(tUs);
  ctx.fillStyle = colours.cursor;
  ctx.fillRect(c - 1, 0, 2, height);
}
