// A round avatar with the person's initial, tinted by their user id, so the same person has the same colour on
// every page and in every feed.
import { h } from '../dom.js';

/** A stable hue (0-359) for a user id. @param {string} user */
export function hueOf(user) {
  let hash = 0;
  for (const c of String(user)) hash = (hash * 31 + c.codePointAt(0)) >>> 0;
  return hash % 360;
}

/**
 * @param {string} name the display name (its first letter is shown)
 * @param {string} [user] the user id (the colour); the name when absent
 */
export function avatar(name, user) {
  const el = h('span', { class: 'avatar', 'aria-hidden': 'true', text: (String(name || user || '?').trim()[0] ?? '?').toUpperCase() });
  const hue = hueOf(user ?? name);
  // CSSOM, not a style attribute: the console's policy forbids inline style attributes.
  el.style.background = `hsl(${hue} 70% 90%)`;
  el.style.color = `hsl(${hue} 55% 32%)`;
  return el;
}
