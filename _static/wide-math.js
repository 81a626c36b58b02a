/*
 * MathJax 4 breaks each display equation to fit the column when it typesets the page.
 * Some equations still do not fit: a long matrix, a chain with no operator to break at,
 * or any equation after the column narrows (MathJax does not break again when a phone
 * turns from landscape to portrait). Such an equation scrolls sideways inside its own
 * box, and nothing showed that it scrolls: its right part was simply cut off. This
 * marks each one: a visible "scroll" note under it, a scrollbar and a fading edge
 * (wide-math.css), a visible keyboard focus, and, for screen readers, the note as its
 * description. Checked again when the window's width changes.
 */
(function () {
  "use strict";
  if (typeof window.MathJax !== "object" || window.MathJax === null) return;
  var NOTE = "Wide equation: scroll sideways, or focus it and move through it with the arrow keys, to see all of it.";
  var count = 0;

  function mark() {
    var boxes = document.querySelectorAll('article mjx-container[display="true"]');
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var wide = box.scrollWidth > box.clientWidth + 1;
      // the note goes after the equation's own block (the theme lays out div.math as a row)
      var block = box.parentElement && box.parentElement.matches("div.math") ? box.parentElement : box;
      var note = block.nextElementSibling;
      var hasNote = note && note.classList.contains("mc-wide-note");
      box.classList.toggle("mc-wide", wide);
      if (wide && !hasNote) {
        note = document.createElement("div");
        note.className = "mc-wide-note";
        note.id = "mc-wide-note-" + (++count);
        note.textContent = "⇆ " + NOTE;
        block.insertAdjacentElement("afterend", note);
        box.setAttribute("aria-describedby", note.id);
        highlight.observe(box, {subtree: true, attributes: true, attributeFilter: ["class"]});
        if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
      } else if (!wide && hasNote) {
        box.removeAttribute("aria-describedby");
        note.remove();
      }
    }
    // for the browser tests: the column width the displays are now marked for
    document.documentElement.dataset.mcMathWidth = String(columnWidth());
  }

  function columnWidth() {
    var article = document.querySelector("article");
    return article ? article.clientWidth : window.innerWidth;
  }

  // Marked as soon as the equations are in the page. Not after MathJax.startup.promise:
  // MathJax 4 resolves that only when its web worker has computed every equation's speech
  // and Braille, which on a long chapter is many seconds after the reader sees the math.
  var config = window.MathJax;
  config.startup = config.startup || {};
  var ready = config.startup.ready;
  config.startup.ready = function () {
    if (ready) ready(); else window.MathJax.startup.defaultReady();
    var STATE = window.MathJax._.core.MathItem.STATE;
    window.MathJax.startup.document.addRenderAction("mcWide", STATE.INSERTED + 1, mark, function () {});
  };

  // MathJax 4's explorer takes the arrow keys of a focused equation: they move through its
  // parts (a screen reader speaks each) and highlight the part (class mjx-selected), after the
  // key event, asynchronously. In a box that scrolls, bring the highlighted part into view,
  // so that a keyboard reaches the hidden side too.
  function reveal(box) {
    var parts = box.querySelectorAll(".mjx-selected");
    if (parts.length === 0) return;
    var left = Infinity, right = -Infinity;
    for (var i = 0; i < parts.length; i++) {
      var r = parts[i].getBoundingClientRect();
      left = Math.min(left, r.left);
      right = Math.max(right, r.right);
    }
    var view = box.getBoundingClientRect();
    // the part's start first, then as much of its end as fits
    if (left < view.left) box.scrollLeft -= view.left - left;
    else if (right > view.right) box.scrollLeft += Math.min(right - view.right, left - view.left);
  }
  var highlight = new MutationObserver(function (records) {
    var boxes = new Set();
    records.forEach(function (record) {
      var box = record.target.closest && record.target.closest("mjx-container.mc-wide");
      if (box) boxes.add(box);
    });
    boxes.forEach(reveal);
  });

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(mark, 250);
  });
})();
