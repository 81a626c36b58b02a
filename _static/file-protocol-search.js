/*
 * Opened from disk (file://), the book's search still works: its index is a script
 * (searchindex.js). But Sphinx's search then fetch()es each result's page to show an
 * excerpt, and browsers forbid fetch() from file:// ("origin 'null'"), so each result
 * would log an error and show no excerpt anyway. From disk, list the results without
 * excerpts; served over http(s), nothing changes.
 *
 * Jupyter Book adds every .js file in _static/ to every page, after Sphinx's
 * documentation_options.js, which defines DOCUMENTATION_OPTIONS.
 */
(function () {
  "use strict";
  if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS === "object") {
    DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
  }
})();
