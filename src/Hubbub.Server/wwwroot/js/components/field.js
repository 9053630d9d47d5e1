// A labelled form field for the pages' small forms.
import { h } from '../dom.js';

/**
 * @param {string} label the visible label (also how tests and screen readers find the input)
 * @param {HTMLElement} input
 */
export const field = (label, input) => h('label', { class: 'field' }, h('span', { class: 'field-label', text: label }), input);
