/*
 * Progressive enhancement for the smelter tables rendered at build time.
 *
 * Without JavaScript the full <table> is there to read and print. With it, each
 * [data-smelter-table] gets: free-text search ignoring case and accents, facet filters with
 * counts, sortable columns (buttons in <th>, aria-sort), a live "N of M" status, the state in
 * the URL, and a reset. Rows are kept in memory and only the first DOM_LIMIT matches are put
 * in the DOM, so a 10,000-row table stays fast (see DESIGN.md for the measurements).
 */
(function () {
  "use strict";

  // A table of up to MAX_ROWS rows keeps them all in the DOM. A larger one shows the first
  // matches only, within a budget of cells, since layout cost follows cells: the 26-column,
  // 10,000-row cross-filing index measured ~250 ms per keystroke at 500 rows, ~40 ms at 100, ~22 ms at 40.
  var CELL_BUDGET = 1040;
  var MAX_ROWS = 500;
  var FACETS = [
    { key: "metal", label: "Metal", all: "All metals" },
    { key: "class", label: "Class", all: "All classes" },
    { key: "country", label: "Country", all: "All countries" },
    { key: "risk", label: "Risk", all: "Any risk", multi: true },
    { key: "change", label: "Change", all: "All changes" },
    { key: "year", label: "Listed in", all: "Any filing", multi: true }
  ];
  var RISK_LABELS = {
    covered: "In a Covered Country",
    "greater-risk": "Greater risk",
    sanction: "Sanctioned",
    suspension: "Suspended (LBMA)",
    none: "No risk flag"
  };
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  // As macros/names.py folds: compatibility forms (fullwidth, ligatures) unified, invisible
  // format characters (zero-width, bidi controls, soft hyphen) dropped, accents ignored.
  function fold(text) {
    return text.normalize("NFKC").replace(/\p{Cf}/gu, "").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function facetValues(get) {
    var values = {};
    FACETS.forEach(function (f) {
      var raw = get(f.key);
      if (raw === null || raw === undefined) return;
      values[f.key] = f.multi ? (raw ? raw.split(" ") : ["none"]) : [raw];
    });
    return values;
  }

  // Rows from the page's own <tbody>.
  function rowsFromDom(tbody) {
    return Array.prototype.map.call(tbody.rows, function (tr, i) {
      // data-search: the name and country as read (look-alike letters resolved at build time).
      return { tr: tr, index: i, text: fold(tr.textContent + " " + (tr.getAttribute("data-search") || "")), keys: [],
               values: facetValues(function (key) { return tr.getAttribute("data-" + key); }) };
    });
  }

  // The same escaping as macros/render/html.py: HTML, plus what Markdown and Jinja react to.
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;", "|": "&#124;",
                   "{": "&#123;", "}": "&#125;", "`": "&#96;", "\\": "&#92;" };
  function esc(value) {
    return String(value).replace(/[&<>"'|{}`\\]/g, function (c) { return ENTITIES[c]; });
  }

  // One cross-filing index row from its compact JSON record: the same HTML as
  // macros/render/changes.py (_index_row) writes into the page (a browser test compares them).
  function indexRowHtml(data, rec) {
    var cells = rec[6], listed = [], latest = null, html = "";
    cells.forEach(function (cell, i) {
      if (cell === -1) { html += '<td data-value="-1">–</td>'; return; }
      listed.push(data.years[i]);
      latest = cell[0];
      html += '<td class="cm-k cm-k--' + data.classes[cell[0]] + '" data-value="' + cell[0] +
        '" title="Published designation: ' + esc(data.designations[cell[1]]) + '">' + esc(data.labels[cell[0]]) + "</td>";
    });
    var also = rec[2].length ? '<br><span class="cm-muted">also listed as ' + esc(rec[2].join("; ")) + "</span>" : "";
    return '<tr data-metal="' + rec[0] + '" data-class="' + data.classes[latest] + '" data-country="' + esc(rec[3]) +
      '" data-risk="' + rec[7] + '" data-year="' + listed.join(" ") + '"><td>' + rec[0] + '</td><th scope="row">' +
      esc(rec[1]) + also + "</th><td>" + esc(rec[3]) + ' <span class="cm-iso">' + rec[4] + "</span></td>" + html +
      "<td>" + listed[0] + "</td><td>" + listed[listed.length - 1] + "</td><td>" + rec[8] + "</td></tr>";
  }

  // Rows of a very large index, from JSON; each <tr> is made only when it is shown.
  function rowsFromJson(data) {
    return data.rows.map(function (rec, i) {
      var listed = [], latest = null, words = [rec[0], rec[1]].concat(rec[2], [rec[3], rec[4], rec[5]]);
      rec[6].forEach(function (cell, y) {
        if (cell === -1) return;
        listed.push(String(data.years[y]));
        latest = data.classes[cell[0]];
        words.push(data.designations[cell[1]]);
      });
      var values = { metal: [rec[0]], "class": [latest], country: [rec[3]], risk: rec[7] ? rec[7].split(" ") : ["none"],
                     year: listed };
      return { tr: null, make: function () { return indexRowHtml(data, rec); }, index: i, text: fold(words.join(" ")),
               keys: [], values: values };
    });
  }

  function materialize(list) {
    var pending = list.filter(function (r) { return !r.tr; });
    if (!pending.length) return;
    var template = document.createElement("template");
    template.innerHTML = "<table><tbody>" + pending.map(function (r) { return r.make(); }).join("") + "</tbody></table>";
    var made = template.content.querySelector("tbody").rows;
    pending.forEach(function (r, i) { r.tr = made[i]; });
  }

  // Two buttons: the filed columns only, or with this site's analysis columns (.cm-an).
  function viewSwitch(container) {
    var group = el("div", { "class": "cm-view", role: "group", "aria-label": "Columns shown" });
    [["filed", "As filed"], ["analysis", "With this site\u2019s analysis"]].forEach(function (v) {
      var button = el("button", { type: "button", "class": "md-button", "data-view-choice": v[0] }, v[1]);
      button.addEventListener("click", function () { container.setAttribute("data-view", v[0]); sync(); });
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
    var noun = container.getAttribute("data-noun") || "rows";
    var labels = JSON.parse(container.getAttribute("data-class-labels") || "{}");
    var rows = records ? rowsFromJson(records) : rowsFromDom(tbody);
    var DOM_LIMIT = rows.length <= MAX_ROWS ? MAX_ROWS
      : Math.max(40, Math.min(MAX_ROWS, Math.floor(CELL_BUDGET / Math.max(1, headers.length))));
    var facets = FACETS.filter(function (f) {
      return rows.length && rows.some(function (r) { return r.values[f.key]; });
    });
    var state = { q: "", filters: {}, sort: -1, dir: 1, limit: DOM_LIMIT };
    var order = rows.slice();
    var matched = rows;

    // ---- as filed / with analysis ---------------------------------------------------------
    if (container.hasAttribute("data-view")) container.insertBefore(viewSwitch(container), container.firstChild);

    // ---- controls ------------------------------------------------------------------------
    var controls = el("div", { "class": "cm-controls", role: "search" });
    var searchId = prefix + "search";
    controls.appendChild(el("label", { "for": searchId }, "Search"));
    var search = el("input", {
      type: "search", id: searchId, placeholder: "Name, country, smelter ID…", autocomplete: "off",
      "aria-controls": table.id
    });
    controls.appendChild(search);
    var selects = {};
    facets.forEach(function (f) {
      var id = prefix + "facet-" + f.key;
      var wrap = el("span", { "class": "cm-facet" });
      wrap.appendChild(el("label", { "for": id }, f.label));
      var select = el("select", { id: id, "data-facet": f.key, "aria-controls": table.id });
      var seen = {};
      rows.forEach(function (r) { (r.values[f.key] || []).forEach(function (v) { seen[v] = true; }); });
      select.appendChild(el("option", { value: "" }, f.all));
      Object.keys(seen).sort(function (a, b) { return collator.compare(label(f, a), label(f, b)); })
        .forEach(function (v) { select.appendChild(el("option", { value: v }, label(f, v))); });
      wrap.appendChild(select);
      controls.appendChild(wrap);
      selects[f.key] = select;
    });
    // value -> code, per facet (codes[fi]), and each row's codes (row.codes[fi]).
    var codes = facets.map(function () { return {}; });
    var names = facets.map(function (f, fi) {
      return Array.prototype.filter.call(selects[f.key].options, function (o) { return o.value; })
        .map(function (o, index) { codes[fi][o.value] = index; return o.value; });
    });
    rows.forEach(function (r) {
      r.codes = facets.map(function (f, fi) {
        return (r.values[f.key] || []).map(function (v) { return codes[fi][v]; });
      });
    });
    var reset = el("button", { type: "button", "class": "md-button cm-reset" }, "Reset");
    controls.appendChild(reset);
    var status = el("p", { role: "status", "aria-live": "polite", "class": "cm-status" });
    controls.appendChild(status);
    container.insertBefore(controls, container.firstChild);

    var more = el("button", { type: "button", "class": "md-button cm-more", hidden: "" }, "");
    container.appendChild(more);

    function label(f, value) {
      if (f.key === "risk") return RISK_LABELS[value] || value;
      if (f.key === "class") return labels[value] || value;
      return value;
    }

    // ---- sorting -------------------------------------------------------------------------
    headers.forEach(function (th, column) {
      var button = el("button", { type: "button", "class": "cm-sort" });
      while (th.firstChild) button.appendChild(th.firstChild);
      button.appendChild(el("span", { "class": "cm-sort__icon", "aria-hidden": "true" }));
      th.appendChild(button);
      button.addEventListener("click", function () {
        state.dir = state.sort === column ? -state.dir : 1;
        state.sort = column;
        applySort();
        update(true);
      });
    });

    function sortKey(row, column) {
      if (row.keys[column] === undefined) {
        var cell = row.tr.cells[column];
        var value = cell.getAttribute("data-value");
        row.keys[column] = value !== null ? Number(value) : cell.textContent.trim();
      }
      return row.keys[column];
    }

    function applySort() {
      headers.forEach(function (th, column) {
        if (column === state.sort) th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
        else th.removeAttribute("aria-sort");
      });
      lastTerms = [];  // the cached text matches are in the old order
      if (state.sort < 0) { order = rows.slice(); return; }
      materialize(rows);  // sorting reads cells: a one-off cost for rows loaded as JSON
      var column = state.sort, dir = state.dir;
      order = rows.slice().sort(function (a, b) {
        var x = sortKey(a, column), y = sortKey(b, column);
        var c = typeof x === "number" && typeof y === "number" ? x - y : collator.compare(String(x), String(y));
        return c * dir || a.index - b.index;
      });
    }

    // ---- filtering -----------------------------------------------------------------------
    var lastTerms = [], lastTextMatched = rows;

    // Rows whose text has every term; typing on narrows the previous result instead of all rows.
    function textMatches(terms) {
      // Each old term inside a new one: the new matches are a subset of the old.
      var narrows = lastTerms.length > 0 && lastTerms.every(function (t, i) {
        return terms[i] !== undefined && terms[i].indexOf(t) >= 0;
      });
      var source = narrows ? lastTextMatched : order;
      var found = source.filter(function (r) {
        for (var t = 0; t < terms.length; t++) if (r.text.indexOf(terms[t]) < 0) return false;
        return true;
      });
      lastTerms = terms;
      lastTextMatched = found;
      return found;
    }

    function update(keepLimit) {
      var terms = fold(state.q).split(/\s+/).filter(Boolean);
      if (!keepLimit) state.limit = DOM_LIMIT;
      var texted = textMatches(terms);
      // One pass: the matches, and each facet's counts under every *other* filter. Facet
      // values are small integers (codes) so counting 10,000 rows x 20 years stays cheap.
      var active = [];
      facets.forEach(function (f, fi) {
        if (state.filters[f.key]) active.push([fi, codes[fi][state.filters[f.key]]]);
      });
      var counts = facets.map(function (f, fi) { return new Int32Array(names[fi].length); });
      var matchedSet = [];
      for (var i = 0; i < texted.length; i++) {
        var r = texted[i], failed = -1, failures = 0;
        for (var a = 0; a < active.length; a++) {
          if (r.codes[active[a][0]].indexOf(active[a][1]) < 0) { failed = active[a][0]; failures++; }
        }
        if (failures > 1) continue;
        if (failures === 0) matchedSet.push(r);
        for (var fi = 0; fi < facets.length; fi++) {
          if (failures === 1 && fi !== failed) continue;
          var own = r.codes[fi], tally = counts[fi];
          for (var k = 0; k < own.length; k++) tally[own[k]]++;
        }
      }
      matched = matchedSet;
      render();
      facets.forEach(function (f, fi) { showCounts(f, fi, counts[fi]); });
      var shown = Math.min(matched.length, state.limit);
      status.textContent = matched.length + " of " + rows.length + " " + noun +
        (shown < matched.length ? " (first " + shown + " shown)" : "");
      writeUrl();
    }

    function render() {
      var slice = matched.slice(0, state.limit);
      materialize(slice);
      var shown = slice.map(function (r) { return r.tr; });
      tbody.replaceChildren.apply(tbody, shown);
      var rest = matched.length - shown.length;
      more.hidden = rest <= 0;
      more.textContent = rest > 0 ? "Show " + Math.min(rest, DOM_LIMIT) + " more of " + rest : "";
    }

    function showCounts(f, fi, counts) {
      Array.prototype.forEach.call(selects[f.key].options, function (option) {
        if (!option.value) return;
        var text = label(f, option.value) + " (" + counts[codes[fi][option.value]] + ")";
        if (option.textContent !== text) option.textContent = text;
      });
    }

    // ---- URL state -----------------------------------------------------------------------
    function param(name) { return prefix + name; }

    // history.replaceState measured ~20 ms a call in Chromium: write the address once typing pauses.
    var urlTimer = null;
    function writeUrl() {
      clearTimeout(urlTimer);
      urlTimer = setTimeout(writeUrlNow, 300);
    }

    function writeUrlNow() {
      var params = new URLSearchParams(location.search);
      // Not "q": Material reads ?q= to open its own site search.
      var entries = { search: state.q, sort: state.sort >= 0 ? String(state.sort) : "", dir: state.dir < 0 ? "desc" : "" };
      facets.forEach(function (f) { entries[f.key] = state.filters[f.key] || ""; });
      Object.keys(entries).forEach(function (k) {
        if (entries[k]) params.set(param(k), entries[k]); else params.delete(param(k));
      });
      var query = params.toString();
      history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }

    function readUrl() {
      var params = new URLSearchParams(location.search);
      state.q = params.get(param("search")) || "";
      search.value = state.q;
      facets.forEach(function (f) {
        var value = params.get(param(f.key)) || "";
        var known = Array.prototype.some.call(selects[f.key].options, function (o) { return o.value === value; });
        state.filters[f.key] = known ? value : "";
        selects[f.key].value = state.filters[f.key];
      });
      var sort = parseInt(params.get(param("sort")), 10);
      state.sort = sort >= 0 && sort < headers.length ? sort : -1;
      state.dir = params.get(param("dir")) === "desc" ? -1 : 1;
    }

    // ---- events --------------------------------------------------------------------------
    search.addEventListener("input", function () { state.q = search.value; update(); });
    facets.forEach(function (f) {
      selects[f.key].addEventListener("change", function () { state.filters[f.key] = selects[f.key].value; update(); });
    });
    reset.addEventListener("click", function () {
      state = { q: "", filters: {}, sort: -1, dir: 1, limit: DOM_LIMIT };
      search.value = "";
      facets.forEach(function (f) { selects[f.key].value = ""; });
      applySort();
      update();
      search.focus();
    });
    more.addEventListener("click", function () { state.limit += DOM_LIMIT; update(true); });
    // Print every matching row, not only the first DOM_LIMIT.
    window.addEventListener("beforeprint", function () {
      materialize(matched);
      tbody.replaceChildren.apply(tbody, matched.map(function (r) { return r.tr; }));
    });
    window.addEventListener("afterprint", render);

    readUrl();
    applySort();
    update();
    // Read by scripts/bench_site.py; harmless otherwise.
    container.setAttribute("data-rows", String(rows.length));
    container.setAttribute("data-enhance-ms", String(Math.round(performance.now() - started)));
    container.setAttribute("data-enhanced", "");
  }

  function init() {
    var containers = document.querySelectorAll("[data-smelter-table]");
    Array.prototype.forEach.call(containers, function (container, i) {
      var started = performance.now();
      // One table keeps short URL parameters (?search=gold); several get the table's id as prefix.
      var table = container.querySelector("table");
      var prefix = containers.length > 1 ? (table.id || "t" + i) + "." : "";
      var run = function (records) {
        try {
          enhance(container, prefix, records, started);
        } catch (error) {
          // The static table is still there: enhancement is optional.
          if (window.console) console.error("smelter table enhancement failed", error);
        }
      };
      var url = container.getAttribute("data-rows-url");
      if (!url) return run(null);
      // A very large table: the page holds its first rows, every row comes as JSON.
      fetch(url).then(function (response) {
        if (!response.ok) throw new Error(url + ": " + response.status);
        return response.json();
      }).then(run, function (error) {
        if (window.console) console.error("could not load every row; filtering the rows on the page", error);
        run(null);
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
