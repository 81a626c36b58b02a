/*
 * ipywidgets' page renderer (@jupyter-widgets/html-manager 1.x) typesets widget
 * labels with MathJax 2's API, `MathJax.Hub.Queue(["Typeset", MathJax.Hub, el])`,
 * whenever window.MathJax exists. The book loads MathJax 4, which has no Hub, so
 * every widget with a description would throw "Cannot read properties of
 * undefined (reading 'Queue')". This shim gives MathJax 4 that one call.
 *
 * Jupyter Book adds every .js file in _static/ to every page, after Sphinx's
 * `window.MathJax = {...}` configuration script; pages without math have no
 * window.MathJax and are left alone.
 */
(function () {
  "use strict";
  if (typeof window.MathJax !== "object" || window.MathJax === null) return;
  var pending = [];

  function flush() {
    var mj = window.MathJax;
    if (!mj || typeof mj.typesetPromise !== "function" || pending.length === 0) return;
    mj.typesetPromise(pending.splice(0)).catch(function (err) {
      console.warn("MathJax could not typeset a widget label:", err);
    });
  }

  var hub = {
    Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (Array.isArray(job) && job[0] === "Typeset" && job[2]) pending.push(job[2]);
      }
      flush();
    },
  };

  // Before MathJax loads, window.MathJax is its configuration object; afterwards
  // MathJax replaces it, so the Hub is attached again once MathJax is ready.
  var config = window.MathJax;
  config.Hub = hub;
  config.startup = config.startup || {};
  var ready = config.startup.ready;
  config.startup.ready = function () {
    if (ready) ready(); else window.MathJax.startup.defaultReady();
    window.MathJax.Hub = hub;
    flush();
  };
})();
