// Accessible tabs (WAI-ARIA tabs pattern): click, or arrow keys / Home / End to move between them.

/** Wire the role=tab buttons inside ``list``; ``onSelect(name, {keyboard})`` runs after a tab is shown.
 * A tab's name is its id without the "view-" / "tab-" prefix; it controls the element aria-controls names. */
export function tablist(list, onSelect = () => {}) {
  const tabs = [...list.querySelectorAll('[role="tab"]')];
  const nameOf = (tab) => tab.id.replace(/^(view|tab)-/, "");
  function select(name, { focus = false } = {}) {
    for (const tab of tabs) {
      const on = nameOf(tab) === name;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(tab.getAttribute("aria-controls"));
      if (panel) panel.hidden = !on;
      if (on && focus) tab.focus();
    }
    onSelect(name, { keyboard: focus });
  }
  for (const tab of tabs) {
    tab.addEventListener("click", () => select(nameOf(tab)));
    tab.addEventListener("keydown", (event) => {
      const at = tabs.indexOf(tab);
      const next = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      select(nameOf(tabs[(next + tabs.length) % tabs.length]), { focus: true });
    });
  }
  return { select, current: () => nameOf(tabs.find((t) => t.getAttribute("aria-selected") === "true") || tabs[0]) };
}
