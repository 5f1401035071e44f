/*
 * The filing-year switcher (partials/year-switcher.html, a <details> that works without
 * JavaScript): moving from one year's smelter list to another's keeps the table's search and
 * filters (a value the other year lacks is not applied there, and the list says so); Escape or a click outside closes it.
 */
(function () {
  "use strict";
  function setUp() {
    var switcher = document.querySelector(".cm-years");
    if (!switcher) return;
    switcher.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-keep-filters]");
      if (link && location.search) link.href = link.href.split("?")[0] + location.search;
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && switcher.open) {
        switcher.open = false;
        switcher.querySelector("summary").focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (switcher.open && !switcher.contains(event.target)) switcher.open = false;
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
