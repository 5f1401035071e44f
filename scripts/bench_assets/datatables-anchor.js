/*
 * The benchmark's anchor (scripts/bench_browser.py): the same page, the same rows, enhanced by
 * DataTables instead of smelter-table.js. Configured for equal work: the filed order kept
 * (order: []), as many rows in view as our table puts in the DOM (?rows=N), and a very large
 * cross-filing index read from the same JSON in the page, with deferRender, DataTables' advice for
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
          (rec[7] ? ' <span class="cm-flags">' + data.badges[rec[8]] + "</span>" : "");
      } },
      { data: 3, render: function (country, type, rec) {
        return type === "display" ? esc(country) + ' <span class="cm-iso">' + esc(rec[4]) + "</span>" : country + " " + rec[4];
      } }
    ];
    // A year's cell (sparse triples: year, class, designation), searched by its designation as ours is.
    function cell(rec, i) {
      for (var c = 0; c < rec[6].length; c += 3) if (rec[6][c] === i) return [rec[6][c + 1], rec[6][c + 2]];
      return null;
    }
    data.years.forEach(function (year, i) {
      columns.push({ data: function (rec) { return cell(rec, i); }, className: "cm-c-year", render: function (found, type) {
        if (!found) return type === "filter" ? "" : "\u2013";
        return type === "filter" ? data.designations[found[1]] : data.labels[found[0]];
      } });
    });
    function years(rec) {
      var out = [];
      for (var c = 0; c < rec[6].length; c += 3) out.push(data.years[rec[6][c]]);
      return out;
    }
    columns.push({ data: function (rec) { return years(rec)[0]; }, searchable: false });
    columns.push({ data: function (rec) { var l = years(rec); return l[l.length - 1]; }, searchable: false });
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
    var embedded = container.querySelector("script.cm-rows");
    if (!embedded) {
      new DataTable(table, options);
      return done(started);
    }
    var data = JSON.parse(embedded.textContent);
    table.tBodies[0].replaceChildren();
    new DataTable(table, Object.assign(options, { data: data.rows, columns: indexColumns(data), deferRender: true }));
    done(started);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
