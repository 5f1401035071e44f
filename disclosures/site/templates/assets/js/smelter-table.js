/*
 * Progressive enhancement for the smelter tables rendered at build time: the DOM view over
 * smelter-table-model.js (filtering, counts, sorting and URL state live there, unit-tested).
 *
 * Without JavaScript the full <table> is there to read and print. With it, each
 * [data-smelter-table] gets: free-text search ignoring case and accents, facet filters with
 * counts, sortable columns (buttons in <th>, aria-sort), a live "N of M" status, the state in
 * the URL, and a reset. Rows are kept in memory and only the first DOM_LIMIT matches are put
 * in the DOM, so a 10,000-row table stays fast (README, Performance: against DataTables). Every
 * label comes from the page (data-labels, rendered from the reference data).
 */
(function () {
  "use strict";
  var M = window.CmTableModel;
  // Where this script was loaded from: the zip library for a view's workbook sits beside it
  // (vendor/fflate.js, loaded on the first "Excel" click only).
  var SCRIPTS = document.currentScript ? document.currentScript.src.replace(/[^/]*$/, "") : "";
  var zipLibrary = null;

  function loadZip() {
    zipLibrary = zipLibrary || new Promise(function (resolve, reject) {
      if (window.fflate) return resolve(window.fflate);
      var script = document.createElement("script");
      script.src = SCRIPTS + "vendor/fflate.js";
      script.onload = function () { resolve(window.fflate); };
      script.onerror = function () { zipLibrary = null; reject(new Error("the workbook writer did not load")); };
      document.head.appendChild(script);
    });
    return zipLibrary;
  }

  // A view's workbook: the sheet parts (model), zipped (fflate, deflated as Excel does).
  function xlsxBlob(view, title) {
    return loadZip().then(function (fflate) {
      var parts = M.xlsxParts(view, title), files = {};
      Object.keys(parts).forEach(function (name) { files[name] = fflate.strToU8(parts[name]); });
      return new Blob([fflate.zipSync(files, { level: 6 })],
                      { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
    });
  }

  // A table of up to MAX_ROWS rows keeps them all in the DOM. A larger one shows the first
  // matches only, within a budget of cells, since layout cost follows cells: the 26-column,
  // 10,000-row cross-filing index measured ~250 ms per keystroke at 500 rows, ~40 ms at 100, ~22 ms at 40.
  var CELL_BUDGET = 1040;
  var MAX_ROWS = 500;
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  // Filters by this site's analysis, not by the filing's words: hidden in the "As filed" view.
  var ANALYSIS_FACETS = ["class", "risk", "country"];

  // Counts as the rest of the site writes them: 9,886. (Not toLocaleString: setting up Intl
  // took ~6 ms of the table's enhancement.)
  function count(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Rows from the page's own <tbody>.
  function rowsFromDom(tbody) {
    return Array.prototype.map.call(tbody.rows, function (tr, i) {
      // data-search: the name and country as read (look-alike letters resolved at build time);
      // data-id: the index's RMI ID, which it does not show.
      var hidden = (tr.getAttribute("data-search") || "") + " " + (tr.getAttribute("data-id") || "");
      return { tr: tr, index: i, text: M.fold(tr.textContent + " " + hidden),
               values: M.facetValues(function (key) { return tr.getAttribute("data-" + key); }) };
    });
  }

  // One cross-filing index row from its JSON record, built as elements (text is never parsed
  // as HTML; the risk badges are the build's own template output). Same cells as
  // templates/cm/smelter_index.html: a browser test compares the two.
  function indexRow(data, rec) {
    var cells = M.indexCells(rec, data.years.length), listed = [], latest = null;
    cells.forEach(function (cell, i) { if (cell) { listed.push(data.years[i]); latest = cell[0]; } });
    var attrs = { "data-metal": rec[0], "data-class": data.classes[latest], "data-country": rec[3],
                  "data-risk": rec[7], "data-year": listed.join(" ") };
    var tr = el("tr", attrs);
    tr.appendChild(el("td", { "class": "cm-c-metal" }, rec[0]));
    var name = el("th", { scope: "row", "class": "cm-c-name" + (M.hasLongWord(rec[1]) ? " cm-long" : "") });
    // The smelter's page: its key is a path segment the build made ([A-Za-z0-9-] only).
    if (rec[9]) name.appendChild(el("a", { "class": "cm-smelter-link", href: (data.pages || "") + rec[9] + "/" }, rec[1]));
    else name.appendChild(document.createTextNode(rec[1]));
    if (rec[2].length) {
      name.appendChild(document.createTextNode(" "));
      name.appendChild(el("span", { "class": "cm-aka" }, "also listed as " + rec[2].join("; ")));
    }
    if (rec[7]) {
      name.appendChild(document.createTextNode(" "));
      var flags = el("span", { "class": "cm-flags" });
      flags.innerHTML = data.badges[rec[8]];  // the build's own template output (cm/risk_badges.html)
      name.appendChild(flags);
    }
    tr.appendChild(name);
    var country = el("td", { "class": "cm-c-country" }, rec[3] + " ");
    country.appendChild(el("span", { "class": "cm-iso" }, rec[4]));
    tr.appendChild(country);
    var id = el("td", { "class": "cm-c-id", "data-label": "RMI ID" });  // printed by a filing, or resolved by this site
    if (!rec[5]) id.appendChild(el("span", { "class": "cm-muted" }, "none"));
    else {
      id.appendChild(document.createTextNode(rec[5]));
      if (rec[10]) {
        id.appendChild(document.createTextNode(" "));
        id.appendChild(el("span", { "class": "cm-an-tag", title: "Resolved by this site from the RMI Smelter Look-up: no filing printed it" }, "resolved"));
      }
    }
    tr.appendChild(id);
    cells.forEach(function (cell, i) {
      var year = String(data.years[i]);
      if (!cell) { tr.appendChild(el("td", { "class": "cm-c-year cm-none", "data-label": year, "data-value": "-1" }, "\u2013")); return; }
      // The class as that filing's legend names it (a qualified one is styled apart, as in the HTML rows).
      var qualified = data.year_qualified && data.year_qualified[i][cell[0]];
      tr.appendChild(el("td", { "class": "cm-c-year cm-k cm-k--" + data.classes[cell[0]] + (qualified ? " cm-k--qualified" : ""),
                                "data-label": year, "data-value": String(cell[0]),
                                title: "Published designation: " + data.designations[cell[1]] },
                        data.year_labels ? data.year_labels[i][cell[0]] : data.labels[cell[0]]));
    });
    tr.appendChild(el("td", { "class": "cm-c-num", "data-label": "First listed" }, String(listed[0])));
    tr.appendChild(el("td", { "class": "cm-c-num", "data-label": "Last listed" }, String(listed[listed.length - 1])));
    return tr;
  }

  // The page holds the first rows as HTML, the same markup indexRow builds (a browser test
  // compares them): those are kept, with their layout; the others are built when first shown.
  function rowsFromJson(data, tbody) {
    var rows = M.rowsFromIndexJson(data), onPage = tbody.rows;
    for (var i = 0; i < rows.length; i++) rows[i].tr = i < onPage.length ? onPage[i] : null;
    rows.data = data;  // materialize() builds a row's <tr> from it
    return rows;
  }

  // Put `shown` in `tbody` moving as few rows as possible: a row that stays keeps its layout
  // (replacing every row re-laid out the whole table on each keystroke; see README, Performance).
  function placeRows(tbody, shown) {
    var keep = new Set(shown), kept = 0;
    for (var row = tbody.firstElementChild; row; row = row.nextElementSibling) if (keep.has(row)) kept++;
    if (kept * 2 < tbody.children.length) return tbody.replaceChildren.apply(tbody, shown);  // most go: one step
    for (var child = tbody.firstElementChild, next; child; child = next) {
      next = child.nextElementSibling;
      if (!keep.has(child)) tbody.removeChild(child);
    }
    var cursor = tbody.firstElementChild;
    shown.forEach(function (tr) {
      if (tr === cursor) cursor = cursor.nextElementSibling;
      else tbody.insertBefore(tr, cursor);
    });
  }

  // A large index's search text is folded once the table is usable, in idle moments (~15 ms
  // for 10,000 rows); a search typed before that folds what it needs itself.
  function foldWhenIdle(rows, textOf) {
    var next = 0, later = window.requestIdleCallback || function (f) { return setTimeout(f, 1); };
    function chunk() {
      for (var end = Math.min(rows.length, next + 1000); next < end; next++) textOf(rows[next]);
      if (next < rows.length) later(chunk);
    }
    later(chunk);
  }

  function materialize(list, data) {
    list.forEach(function (r) { if (!r.tr) r.tr = indexRow(data, r.rec); });
  }

  // Two buttons: the filed columns only, or with this site's analysis columns (.cm-an).
  function viewSwitch(container, changed) {
    var group = el("div", { "class": "cm-view", role: "group", "aria-label": "Columns shown" });
    [["filed", "As filed"], ["analysis", "With this site\u2019s analysis"]].forEach(function (v) {
      var button = el("button", { type: "button", "class": "md-button", "data-view-choice": v[0] }, v[1]);
      button.addEventListener("click", function () { container.setAttribute("data-view", v[0]); sync(); changed(v[0]); });
      group.appendChild(button);
    });
    function sync() {
      Array.prototype.forEach.call(group.children, function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-view-choice") === container.getAttribute("data-view")));
      });
    }
    sync();
    return group;
  }

  function enhance(container, prefix, records, started) {
    var table = container.querySelector("table");
    var tbody = table.tBodies[0];
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var text = JSON.parse(container.getAttribute("data-labels") || "{}");
    if (records) records.pages = container.getAttribute("data-pages") || "";
    var rows = records ? rowsFromJson(records, tbody) : rowsFromDom(tbody);
    var DOM_LIMIT = rows.length <= MAX_ROWS ? MAX_ROWS
      : Math.max(40, Math.min(MAX_ROWS, Math.floor(CELL_BUDGET / Math.max(1, headers.length))));
    function label(key, value) { return ((text.values || {})[key] || {})[value] || value; }
    var facets = M.facetsOf(rows, label, collator.compare);
    var codes = M.encodeFacets(rows, facets);
    var sizes = facets.map(function (f) { return f.values.length; });
    var textOf = records ? function (r) { return r.text || (r.text = M.indexText(records, r.rec)); } : null;
    var search = M.textSearch(textOf);
    var state = { q: "", filters: {}, sort: -1, dir: 1, limit: DOM_LIMIT };
    var order = rows.slice(), matched = rows;

    if (container.hasAttribute("data-view")) container.insertBefore(viewSwitch(container, showView), container.firstChild);
    var ui = controls(container, table, prefix, facets, label, text, headers);
    // "As filed" shows the filing's words only: the filters and sorts by this site's analysis
    // (class, risk, the standard country names) are hidden, and any in use are let go.
    function showView(view) {
      var filed = view === "filed", changed = false;
      facets.forEach(function (f) {
        if (filed && ANALYSIS_FACETS.indexOf(f.key) >= 0 && state.filters[f.key]) {
          state.filters[f.key] = "";
          ui.selects[f.key].value = "";
          changed = true;
        }
      });
      Array.prototype.forEach.call(ui.sort.options, function (option) {
        var column = option.value ? Number(option.value.split(":")[0]) : -1;
        option.hidden = filed && column >= 0 && headers[column].classList.contains("cm-an");
      });
      if (filed && state.sort >= 0 && headers[state.sort].classList.contains("cm-an")) {
        state.sort = -1;
        applySort();
        changed = true;
      }
      if (changed) update();
    }
    var more = el("button", { type: "button", "class": "md-button cm-more", hidden: "" }, "");
    container.appendChild(more);

    // ---- sorting -------------------------------------------------------------------------
    headers.forEach(function (th, column) {
      // The heading's words come in a span shaped like this button (cm/sort_header.html): a
      // swap in place. A table rendered without it gets its words wrapped.
      var button = el("button", { type: "button", "class": "cm-sort" });
      var holder = th.querySelector(":scope > .cm-sort");
      if (holder) {
        while (holder.firstChild) button.appendChild(holder.firstChild);
        holder.replaceWith(button);
      } else {
        while (th.firstChild) button.appendChild(th.firstChild);
        button.appendChild(el("span", { "class": "cm-sort__icon", "aria-hidden": "true" }));
        th.appendChild(button);
      }
      button.addEventListener("click", function () {
        state.dir = state.sort === column ? -state.dir : 1;
        state.sort = column;
        applySort();
        update(true);
      });
    });

    function sortKey(row, column) {
      if (!row.keys) row.keys = [];
      if (row.keys[column] === undefined) {
        var cell = row.tr.cells[column];
        var value = cell.getAttribute("data-value");
        row.keys[column] = value !== null ? Number(value) : cell.textContent.trim();
      }
      return row.keys[column];
    }

    function applySort() {
      ui.sort.value = state.sort >= 0 ? state.sort + ":" + state.dir : "";
      headers.forEach(function (th, column) {
        if (column === state.sort) th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
        else th.removeAttribute("aria-sort");
      });
      search.reset();  // the cached text matches are in the old order
      if (state.sort < 0) { order = rows.slice(); return; }
      materialize(rows, rows.data);  // sorting reads cells: a one-off cost for rows loaded as JSON
      order = M.sortRows(rows, function (r) { return sortKey(r, state.sort); }, state.dir, collator.compare);
    }

    // ---- filtering -----------------------------------------------------------------------
    function update(keepLimit) {
      if (!keepLimit) state.limit = DOM_LIMIT;
      var active = [];
      facets.forEach(function (f, fi) {
        if (state.filters[f.key]) active.push([fi, codes[fi][state.filters[f.key]]]);
      });
      var result = M.filterAndCount(search.find(order, M.terms(state.q)), active, sizes);
      matched = result.matched;
      render();
      facets.forEach(function (f, fi) { showCounts(f, fi, result.counts[fi]); });
      var shown = Math.min(matched.length, state.limit);
      var noun = text.noun || "rows";
      ui.status.textContent = count(matched.length) + " of " + count(rows.length) + " " + noun +
        (shown < matched.length ? " (first " + count(shown) + " shown)" : "");
      var said = M.describeFilters(state, facets.map(function (f) { return [f.key, ((text.facets || {})[f.key] || [f.key])[0]]; }), label);
      var active = said.length + (state.sort >= 0 ? 1 : 0);
      ui.toggle.textContent = active ? "Filters (" + active + ")" : "Filters";
      ui.note.textContent = said.length ? "Filtered view: " + said.join("; ") + " \u2014 " + count(matched.length) + " of " +
        count(rows.length) + " " + noun + "." : "All " + count(rows.length) + " " + noun + ".";
      if (ui.empty) showEmpty(said);
      writeUrl();
    }

    function render() {
      var slice = matched.slice(0, state.limit);
      materialize(slice, rows.data);
      var shown = slice.map(function (r) { return r.tr; });
      placeRows(tbody, shown);
      var rest = matched.length - shown.length;
      more.hidden = rest <= 0;
      more.textContent = rest > 0 ? "Show " + count(Math.min(rest, DOM_LIMIT)) + " more of " + count(rest) : "";
    }

    // "No smelters match ...", with a reset, instead of an empty table.
    function showEmpty(said) {
      ui.empty.hidden = matched.length > 0;
      if (matched.length) return;
      ui.empty.replaceChildren(document.createTextNode("No " + (text.noun || "rows") + " match " + said.join("; ") + ". "));
      var again = el("button", { type: "button" }, "Reset the search and filters");
      again.addEventListener("click", function () { ui.reset.click(); });
      ui.empty.appendChild(again);
    }

    function showCounts(f, fi, counts) {
      Array.prototype.forEach.call(ui.selects[f.key].options, function (option) {
        if (!option.value) return;
        var shown = label(f.key, option.value) + " (" + counts[codes[fi][option.value]] + ")";
        if (option.textContent !== shown) option.textContent = shown;
      });
    }

    // ---- URL state: history.replaceState measured ~20 ms a call, so once typing pauses ----
    var urlTimer = null;
    function writeUrl() {
      clearTimeout(urlTimer);
      urlTimer = setTimeout(function () {
        var params = M.stateToParams(state, facets.map(function (f) { return f.key; }), prefix,
                                     new URLSearchParams(location.search));
        var query = params.toString();
        history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash);
      }, 300);
    }

    function readUrl() {
      var params = new URLSearchParams(location.search);
      var read = M.stateFromParams(params, facets, headers.length, prefix);
      // A filter this list cannot apply (a value it lacks, kept from another year's list by the
      // year switcher): said, not silently dropped.
      var dropped = [];
      facets.forEach(function (f) {
        var asked = params.get(prefix + f.key);
        if (asked && !read.filters[f.key]) dropped.push(((text.facets || {})[f.key] || [f.key])[0] + ": " + label(f.key, asked));
      });
      if (dropped.length) {
        ui.dropped.textContent = "Not in this list, so not applied: " + dropped.join("; ") + ".";
        ui.dropped.hidden = false;
      }
      state.q = read.q; state.filters = read.filters; state.sort = read.sort; state.dir = read.dir;
      ui.search.value = state.q;
      facets.forEach(function (f) { ui.selects[f.key].value = state.filters[f.key]; });
    }

    // ---- events --------------------------------------------------------------------------
    ui.search.addEventListener("input", function () { state.q = ui.search.value; update(); });
    ui.sort.addEventListener("change", function () {
      var choice = ui.sort.value.split(":");
      state.sort = choice[0] ? Number(choice[0]) : -1;
      state.dir = choice[1] === "-1" ? -1 : 1;
      applySort();
      update(true);
    });
    facets.forEach(function (f) {
      ui.selects[f.key].addEventListener("change", function () { state.filters[f.key] = ui.selects[f.key].value; update(); });
    });
    ui.reset.addEventListener("click", function () {
      ui.dropped.hidden = true;
      state = { q: "", filters: {}, sort: -1, dir: 1, limit: DOM_LIMIT };
      ui.search.value = "";
      facets.forEach(function (f) { ui.selects[f.key].value = ""; });
      applySort();
      update();
      ui.search.focus();
    });
    more.addEventListener("click", function () { state.limit += DOM_LIMIT; update(true); });
    // The rows in view (every match, not only those in the DOM) as data: the full download's
    // columns and values for those rows (only the filed columns in the "As filed" view).
    var source = container.getAttribute("data-download");
    var fileLoad = null;
    function exportView(format) {
      fileLoad = fileLoad || fetch(source).then(function (r) {
        if (!r.ok) throw new Error(r.status + " " + r.statusText);
        return r.json();
      });
      fileLoad.then(function (file) {
        if (file.data.length !== rows.length) throw new Error("the download has " + file.data.length + " rows, the table " + rows.length);
        var filed = container.getAttribute("data-view") === "filed";
        var view = M.viewTable(file, matched.map(function (r) { return r.index; }), filed);
        var stem = source.split("/").pop().replace(/\.json$/, "") + (filed ? "-as-filed" : "") + "-view";
        if (format === "xlsx") return xlsxBlob(view, stem).then(function (blob) { save(blob, stem + ".xlsx"); });
        var body = format === "json" ? M.viewJson(file, view) : M.viewCsv(view);
        save(new Blob([body], { type: format === "json" ? "application/json" : "text/csv;charset=utf-8" }), stem + "." + format);
      }).catch(function (error) {
        fileLoad = null;
        ui.status.textContent = "The download could not be read (" + error.message + "); the full files are linked above.";
      });
    }
    function save(blob, name) {
      var link = el("a", { href: URL.createObjectURL(blob), download: name });
      document.body.appendChild(link);
      link.click();
      link.remove();
    }
    if (source) {
      ui.download.querySelectorAll("button").forEach(function (b) {
        b.addEventListener("click", function () { exportView(b.getAttribute("data-format")); });
      });
    } else {
      ui.download.hidden = true;
    }
    // Print every matching row, not only the first DOM_LIMIT.
    window.addEventListener("beforeprint", function () {
      materialize(matched, rows.data);
      tbody.replaceChildren.apply(tbody, matched.map(function (r) { return r.tr; }));
    });
    window.addEventListener("afterprint", render);

    readUrl();
    applySort();
    update();
    if (container.getAttribute("data-view") === "filed") showView("filed");
    if (textOf) foldWhenIdle(rows, textOf);
    // Arrived from a key fact ("1 sanctioned" -> ?risk=sanction#smelters-2023): the filtered list
    // and its "N of M" status in view at once, the status focused so a screen reader says it.
    // After the load event: the browser's own move to the fragment would otherwise take the focus back.
    if (location.hash && location.hash.length > 1 && table.id === decodeURIComponent(location.hash.slice(1))) {
      var arrive = function () {
        setTimeout(function () {
          ui.status.setAttribute("tabindex", "-1");
          container.scrollIntoView({ block: "start" });
          ui.status.focus({ preventScroll: true });
        }, 0);
      };
      if (document.readyState === "complete") arrive(); else window.addEventListener("load", arrive);
    }
    // Read by scripts/bench_site.py; harmless otherwise.
    container.setAttribute("data-rows", String(rows.length));
    container.setAttribute("data-enhance-ms", String(Math.round(performance.now() - started)));
    container.setAttribute("data-enhanced", "");
  }

  // A cell's words as shown, without sort buttons' arrows or hidden analysis tags.
  function cellText(cell) {
    var copy = cell.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".cm-sort__icon, .cm-an-tag"), function (n) { n.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  // The search box, a select per facet (labels from the page), a sort choice (the header row is
  // hidden on phones), reset and the live status. On phones the filters fold behind one button.
  function controls(container, table, prefix, facets, label, text, headers) {
    var box = el("div", { "class": "cm-controls", role: "search", "aria-label": "Filter " + (table.caption ? table.caption.textContent : "the table") });
    var searchId = prefix + "search", panelId = prefix + "filters";
    var field = el("span", { "class": "cm-search-field" });
    field.appendChild(el("label", { "for": searchId }, "Search"));
    var search = el("input", { type: "search", id: searchId, placeholder: "Name, country, smelter ID\u2026",
                               autocomplete: "off", "aria-controls": table.id });
    field.appendChild(search);
    var toggle = el("button", { type: "button", "class": "md-button cm-filter-toggle", "aria-expanded": "false",
                                "aria-controls": panelId }, "Filters");
    toggle.addEventListener("click", function () {
      var open = box.classList.toggle("cm-controls--open");
      toggle.setAttribute("aria-expanded", String(open));
    });
    field.appendChild(toggle);
    box.appendChild(field);
    var panel = el("span", { id: panelId, "class": "cm-filter-panel" });
    var selects = {};
    facets.forEach(function (f) {
      var id = prefix + "facet-" + f.key, names = (text.facets || {})[f.key] || [f.key, "All"];
      var wrap = el("span", { "class": "cm-facet" + (ANALYSIS_FACETS.indexOf(f.key) >= 0 ? " cm-an" : "") });
      wrap.appendChild(el("label", { "for": id }, names[0]));
      var select = el("select", { id: id, "data-facet": f.key, "aria-controls": table.id });
      select.appendChild(el("option", { value: "" }, names[1]));
      f.values.forEach(function (v) { select.appendChild(el("option", { value: v }, label(f.key, v))); });
      wrap.appendChild(select);
      panel.appendChild(wrap);
      selects[f.key] = select;
    });
    var sortWrap = el("span", { "class": "cm-sort-field" });
    sortWrap.appendChild(el("label", { "for": prefix + "sort" }, "Sort"));
    var sort = el("select", { id: prefix + "sort", "aria-controls": table.id });
    sort.appendChild(el("option", { value: "" }, "As listed"));
    headers.forEach(function (th, i) {
      var copy = th.cloneNode(true);
      Array.prototype.forEach.call(copy.querySelectorAll(".cm-an-tag"), function (tag) { tag.remove(); });
      var name = copy.textContent.replace(/\s+/g, " ").trim();
      var ways = th.getAttribute("data-sort") === "class" ? [" (best first)", " (worst first)"] : [" (A\u2013Z)", " (Z\u2013A)"];
      sort.appendChild(el("option", { value: i + ":1" }, name + ways[0]));
      sort.appendChild(el("option", { value: i + ":-1" }, name + ways[1]));
    });
    sortWrap.appendChild(sort);
    panel.appendChild(sortWrap);
    var reset = el("button", { type: "button", "class": "md-button cm-reset" }, "Reset");
    panel.appendChild(reset);
    box.appendChild(panel);
    var status = el("p", { role: "status", "aria-live": "polite", "class": "cm-status" });
    box.appendChild(status);
    var dropped = el("p", { "class": "cm-dropped", hidden: "" });
    box.appendChild(dropped);
    var download = el("span", { "class": "cm-download-view", role: "group", "aria-label": "Download the rows in this view" });
    download.appendChild(el("span", { "class": "cm-download-view__label" }, "Download this view:"));
    [["csv", "CSV"], ["xlsx", "Excel"], ["json", "JSON"]].forEach(function (f) {
      download.appendChild(el("button", { type: "button", "class": "md-button", "data-format": f[0] }, f[1]));
    });
    box.appendChild(download);
    container.insertBefore(box, container.firstChild);
    var note = el("p", { "class": "cm-print-only cm-filter-note" });
    table.parentNode.insertBefore(note, table);
    return { search: search, selects: selects, sort: sort, reset: reset, status: status, toggle: toggle, note: note, download: download,
             dropped: dropped,
             empty: container.querySelector(".cm-empty") };
  }

  // Every list in `scope` not enhanced yet: the page's, at load; a block the preview's live
  // update swapped in (templates/cm/live-update.js), on its "cm:content" event.
  function init(scope) {
    var all = Array.prototype.slice.call(document.querySelectorAll("[data-smelter-table]"));
    var containers = scope && scope !== document ? all.filter(function (c) { return scope.contains(c); }) : all;
    containers.forEach(function (container) {
      var i = all.indexOf(container);
      if (container.hasAttribute("data-enhanced")) return;
      var started = performance.now();
      // One table keeps short URL parameters (?search=gold); several get the table's id as prefix.
      var table = container.querySelector("table");
      var prefix = all.length > 1 ? (table.id || "t" + i) + "." : "";
      var run = function (records) {
        try {
          enhance(container, prefix, records, started);
        } catch (error) {
          // The static table is still there: enhancement is optional.
          if (window.console) console.error("smelter table enhancement failed", error);
        }
      };
      // A very large table: the page holds its first rows as HTML, every row as JSON.
      var embedded = container.querySelector("script.cm-rows");
      if (!embedded) return run(null);
      var records = null;
      try {
        records = JSON.parse(embedded.textContent);
      } catch (error) {
        if (window.console) console.error("could not read every row; filtering the rows on the page", error);
      }
      run(records);
    });
  }

  document.addEventListener("cm:content", function (event) { init(event.target); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(document); });
  else init(document);
})();
