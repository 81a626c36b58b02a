/*
 * A display equation wider than the column (on a phone, a long chain of steps) scrolls
 * sideways inside its own box: MathJax 3 gives the box `overflow-x: auto` and
 * `tabindex="0"`. Nothing showed that it scrolls, and its right part was simply cut
 * off. This marks each such equation: a visible "scroll" note under it, a scrollbar
 * and a fading edge (wide-math.css), a visible keyboard focus, and, for screen
 * readers, the note as its description (the arrow keys scroll a focused box).
 * Checked again when the window's width changes.
 */
(function () {
  "use strict";
  if (typeof window.MathJax !== "object" || window.MathJax === null) return;
  var NOTE = "Wide equation: scroll sideways (or focus it and use the arrow keys) to see all of it.";
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
        if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
      } else if (!wide && hasNote) {
        box.removeAttribute("aria-describedby");
        note.remove();
      }
    }
  }

  function whenTypeset() {
    var mj = window.MathJax;
    if (!mj.startup || !mj.startup.promise) return setTimeout(whenTypeset, 100);
    mj.startup.promise.then(mark);
  }

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(mark, 150);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", whenTypeset);
  else whenTypeset();
})();
