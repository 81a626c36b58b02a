/*
 * Opened from disk (file://, the offline archive), Chromium refuses to start a web worker,
 * and MathJax 4 computes each equation's speech and Braille in one: it stopped with
 * "Failed to execute 'importScripts'" and never finished starting. From disk the book
 * therefore typesets without speech and Braille, and gives screen readers each
 * equation's MathML instead (assistive MathML, MathJax 3's way). Served over http(s),
 * nothing changes.
 */
(function () {
  "use strict";
  if (location.protocol !== "file:") return;
  if (typeof window.MathJax !== "object" || window.MathJax === null) return;
  var options = (window.MathJax.options = window.MathJax.options || {});
  var menu = (options.menuOptions = options.menuOptions || {});
  var settings = (menu.settings = menu.settings || {});
  settings.enrich = false;
  settings.speech = false;
  settings.braille = false;
  settings.assistiveMml = true;
})();
