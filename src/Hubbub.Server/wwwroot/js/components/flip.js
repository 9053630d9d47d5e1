// Re-rendering a ranked list so that rows glide from where they were to where they are (FLIP: first, last,
// invert, play), and rows whose place or value changed flash once. Rows are keyed by `data-key`.

/**
 * @param {HTMLElement} container the list whose children are keyed rows
 * @param {() => void} render replaces the children
 * @param {Set<string>} [changed] keys of rows to flash
 */
export function flipRender(container, render, changed = new Set()) {
  const before = new Map([...container.children].map((el) => [/** @type {HTMLElement} */ (el).dataset.key, el.getBoundingClientRect().top]));
  render();
  for (const el of /** @type {HTMLCollectionOf<HTMLElement>} */ (container.children)) {
    const key = el.dataset.key;
    const top = before.get(key);
    if (top !== undefined) {
      const delta = top - el.getBoundingClientRect().top;
      if (delta) {
        el.style.transition = 'none';
        el.style.transform = `translateY(${delta}px)`;
        void el.offsetWidth;
        el.style.transition = '';
        el.style.transform = '';
      }
    }
    if (changed.has(key)) el.classList.add('moved');
  }
}
