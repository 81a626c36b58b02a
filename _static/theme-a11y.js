/*
 * Accessible names and roles the theme's and Sphinx's markup get wrong (found by the
 * axe-core audit in tests/test_browser.py), corrected once the page is parsed:
 * - buttons whose aria-label leaves out text they show (WCAG 2.5.3, Label in Name):
 *   the search field shows "Search Ctrl+K" but is named "Search": its text becomes its
 *   name. The colour-mode button's icons hold titles ("Light", "Dark") that its name
 *   "Color mode" lacks: the icons lose them (the button's tooltip says "Color mode").
 * - myst-nb's folded cells: a <summary> named "Toggle hidden content" that shows
 *   "Show code cell source". Its visible text is the better name.
 * - the bibliography: Sphinx writes role="doc-biblioentry", deprecated in DPUB-ARIA 1.1
 *   (which says to use list items), inside a role="list".
 */
(function () {
  "use strict";
  // Font Awesome swaps each <i> for an <svg role="img"> holding the title, after this
  // script has run: watch the buttons and strip whatever icon they hold now.
  function hideIcons(button) {
    var hide = function () {
      button.querySelectorAll("i, svg").forEach(function (el) {
        if (el.getAttribute("aria-hidden") !== "true") el.setAttribute("aria-hidden", "true");
        el.removeAttribute("title");
        el.removeAttribute("aria-labelledby");
      });
      button.querySelectorAll("svg title").forEach(function (el) { el.remove(); });
    };
    hide();
    new MutationObserver(hide).observe(button, {childList: true, subtree: true});
  }

  function fix() {
    document.querySelectorAll(".search-button-field").forEach(function (el) { el.removeAttribute("aria-label"); });
    document.querySelectorAll(".search-button-field, .theme-switch-button").forEach(hideIcons);
    document.querySelectorAll('details > summary[aria-label="Toggle hidden content"]')
      .forEach(function (el) { el.removeAttribute("aria-label"); });
    document.querySelectorAll('[role="list"] > [role="doc-biblioentry"]')
      .forEach(function (el) { el.setAttribute("role", "listitem"); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fix);
  else fix();
})();
