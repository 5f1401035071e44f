// Material wraps each wide table in a scrolling box; a smelter list (.cm-table) is its own. A keyboard user must be able to reach
// and scroll it (WCAG 2.1.1; axe "scrollable-region-focusable"): a box that scrolls becomes a
// focusable region named after its table's caption.
(function () {
  function label(wrap, index) {
    const caption = wrap.querySelector("caption");
    return (caption && caption.textContent.trim()) || "Table " + (index + 1) + " (scrolls sideways)";
  }
  function mark() {
    document.querySelectorAll(".md-typeset__scrollwrap, .cm-table, .cm-summary, .cm-scroll").forEach(function (wrap, index) {
      if (wrap.scrollWidth > wrap.clientWidth + 1 && !wrap.hasAttribute("tabindex")) {
        wrap.tabIndex = 0;
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", label(wrap, index));
      }
    });
  }
  if (window.document$) window.document$.subscribe(function () { requestAnimationFrame(mark); });
  else document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("resize", mark);
})();
