/*
 * The sliders of the static widget figures (ipywidgets rendered by
 * @jupyter-widgets/html-manager, a noUiSlider handle with role="slider") for keyboard
 * and screen-reader users. As rendered, a handle has no accessible name (the
 * description beside it is a <label> tied to nothing), its aria-valuetext is the
 * option's index ("2", not "45°"), and a change of frame is silent. This names each
 * handle by its description, keeps aria-valuetext equal to the value the slider
 * shows, and writes "label = value, ..." for the whole figure into a polite live
 * region when a slider moves (the region starts empty: nothing is read on page load;
 * each frame's image keeps its own alt text). The focus ring is in a11y.css.
 */
(function () {
  "use strict";
  var VIEWS = 'script[type="application/vnd.jupyter.widget-view+json"]';
  var handles = document.getElementsByClassName("noUi-handle"); // live: grows as widgets render
  var done = 0;
  var count = 0;

  function text(el) {
    return el ? el.textContent.trim() : "";
  }

  function sliderOf(handle) {
    return handle.closest(".widget-slider");
  }

  function statusOf(figure) {
    var parts = [];
    figure.querySelectorAll(".widget-slider").forEach(function (slider) {
      parts.push(text(slider.querySelector(".widget-label")) + " = " + text(slider.querySelector(".widget-readout")));
    });
    return parts.join(", ");
  }

  // Runs after every change noUiSlider or the readout make: the handle's own
  // aria-valuetext (noUiSlider rewrites it on each move) and the figure's status.
  function sync(slider, region) {
    var handle = slider.querySelector(".noUi-handle");
    var shown = text(slider.querySelector(".widget-readout"));
    if (shown && handle.getAttribute("aria-valuetext") !== shown) handle.setAttribute("aria-valuetext", shown);
    if (!region) return;
    var status = statusOf(region.parentElement);
    if (status !== region.dataset.last) {
      region.dataset.last = status;
      region.textContent = status;
    }
  }

  function regionFor(figure) {
    var region = figure.querySelector(":scope > .mc-slider-status");
    if (!region) {
      region = document.createElement("div");
      region.className = "mc-slider-status";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      region.dataset.last = statusOf(figure); // the starting values are not news
      figure.appendChild(region);
    }
    return region;
  }

  function enhance(handle) {
    var slider = sliderOf(handle);
    if (!slider || handle.dataset.mcA11y) return;
    handle.dataset.mcA11y = "1";
    var label = slider.querySelector(".widget-label");
    if (label && text(label)) {
      if (!label.id) label.id = "mc-slider-label-" + (++count);
      handle.setAttribute("aria-labelledby", label.id);
      if (label.getAttribute("title") === "null") label.removeAttribute("title"); // ipywidgets' empty tooltip
    }
    var figure = slider.parentElement && slider.parentElement.closest(".widget-box");
    var region = figure ? regionFor(figure) : null;
    if (region) region.dataset.last = statusOf(figure);
    sync(slider, null);
    var update = function () { sync(slider, region); };
    new MutationObserver(update).observe(handle, {attributes: true, attributeFilter: ["aria-valuenow", "aria-valuetext"]});
    var readout = slider.querySelector(".widget-readout");
    if (readout) new MutationObserver(update).observe(readout, {childList: true, characterData: true, subtree: true});
  }

  function enhanceNew() {
    for (var i = 0; i < handles.length; i++) enhance(handles[i]);
    done = handles.length;
  }

  function start() {
    if (!document.querySelector(VIEWS)) return; // a page without widgets
    new MutationObserver(function () {
      if (handles.length > done) enhanceNew();
    }).observe(document.body, {childList: true, subtree: true});
    enhanceNew();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
