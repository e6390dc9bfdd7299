// Accessible tabs (the WAI-ARIA tabs pattern): one tab in the Tab order,
// arrow keys, Home and End move between tabs and show their panel at once.

/**
 * `tablist` holds buttons with role="tab" and aria-controls naming their panel.
 * `names` maps a tab's id to the name `onChange` receives. Returns { select(tabId) }.
 */
export function mountTabs(tablist, onChange, names) {
  const tabs = [...tablist.querySelectorAll('[role=tab]')];

  function select(id, { focus = false, notify = false } = {}) {
    for (const tab of tabs) {
      const on = tab.id === id;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      document.getElementById(tab.getAttribute('aria-controls')).hidden = !on;
      if (on && focus) tab.focus();
    }
    // A hidden canvas measures 0 × 0; views redraw from their resize observers when shown.
    if (notify) onChange(names[id]);
  }

  tablist.addEventListener('click', (event) => {
    const tab = event.target.closest('[role=tab]');
    if (tab) select(tab.id, { notify: true });
  });
  tablist.addEventListener('keydown', (event) => {
    const at = tabs.indexOf(document.activeElement);
    if (at < 0) return;
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    select(tabs[(to + tabs.length) % tabs.length].id, { focus: true, notify: true });
  });

  return { select: (id) => select(id) };
}
