/*
 * The benchmark's anchor (scripts/bench_browser.py): the same page, the same rows, enhanced by
 * DataTables instead of smelter-table.js. Configured for equal work: the filed order kept
 * (order: []), as many rows in view as our table puts in the DOM (?rows=N), and a very large
 * cross-filing index loaded from the same compact JSON with deferRender, DataTables' advice for
 * large data. Marks the container as smelter-table.js does, so both are timed the same way.
 */
(function () {
  "use strict";
  var container = document.querySelector("[data-smelter-table]");
  var table = container.querySelector("table");
  var pageLength = Number(new URLSearchParams(location.search).get("rows")) || 10;

  function esc(text) {
    return String(text).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }

  // The index row's cells, as templates/cm/smelter_index.html shows them.
  function indexColumns(data) {
    var columns = [
      { data: 0 },
      { data: 1, render: function (name, type, rec) {
        var aka = rec[2].length ? " also listed as " + rec[2].join("; ") : "";
        if (type !== "display") return name + aka;
        return esc(name) + (aka ? ' <span class="cm-aka">' + esc(aka.trim()) + "</span>" : "") +
          (rec[7] ? ' <span class="cm-flags">' + rec[8] + "</span>" : "");
      } },
      { data: 3, render: function (country, type, rec) {
        return type === "display" ? esc(country) + ' <span class="cm-iso">' + esc(rec[4]) + "</span>" : country + " " + rec[4];
      } }
    ];
    data.years.forEach(function (year, i) {
      columns.push({ data: function (rec) { return rec[6][i]; }, className: "cm-c-year", render: function (cell) {
        return cell === -1 ? "\u2013" : data.labels[cell[0]];
      } });
    });
    function listed(rec) {
      return data.years.filter(function (y, i) { return rec[6][i] !== -1; });
    }
    columns.push({ data: function (rec) { return listed(rec)[0]; } });
    columns.push({ data: function (rec) { var l = listed(rec); return l[l.length - 1]; } });
    return columns;
  }

  function done(started) {
    container.setAttribute("data-rows", String(new DataTable.Api(table).rows().count()));
    container.setAttribute("data-enhance-ms", String(Math.round(performance.now() - started)));
    container.setAttribute("data-enhanced", "");
  }

  function init() {
    var started = performance.now();
    var options = { order: [], pageLength: pageLength, lengthChange: false };
    var url = container.getAttribute("data-rows-url");
    if (!url) {
      new DataTable(table, options);
      return done(started);
    }
    fetch(url).then(function (response) { return response.json(); }).then(function (data) {
      table.tBodies[0].replaceChildren();
      new DataTable(table, Object.assign(options, { data: data.rows, columns: indexColumns(data), deferRender: true }));
      done(started);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
