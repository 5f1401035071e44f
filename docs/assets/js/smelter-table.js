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

  var DOM_LIMIT = 500;
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

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function enhance(container, prefix) {
    var table = container.querySelector("table");
    var tbody = table.tBodies[0];
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var noun = container.getAttribute("data-noun") || "rows";
    var labels = {};
    var rows = Array.prototype.map.call(tbody.rows, function (tr, i) {
      var values = {};
      FACETS.forEach(function (f) {
        var raw = tr.getAttribute("data-" + f.key);
        if (raw === null) return;
        values[f.key] = f.multi ? (raw ? raw.split(" ") : ["none"]) : [raw];
      });
      var badge = tr.querySelector(".cm-badge[class*='cm-badge--']");
      if (values["class"] && badge) labels["class:" + values["class"][0]] = badge.textContent;
      return { tr: tr, index: i, text: fold(tr.textContent), values: values, keys: [] };
    });
    var facets = FACETS.filter(function (f) {
      return rows.length && rows.some(function (r) { return r.values[f.key]; });
    });
    var state = { q: "", filters: {}, sort: -1, dir: 1, limit: DOM_LIMIT };
    var order = rows.slice();
    var matched = rows;

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
    var reset = el("button", { type: "button", "class": "md-button cm-reset" }, "Reset");
    controls.appendChild(reset);
    var status = el("p", { role: "status", "aria-live": "polite", "class": "cm-status" });
    controls.appendChild(status);
    container.insertBefore(controls, container.firstChild);

    var more = el("button", { type: "button", "class": "md-button cm-more", hidden: "" }, "");
    container.appendChild(more);

    function label(f, value) {
      if (f.key === "risk") return RISK_LABELS[value] || value;
      if (f.key === "class") return labels["class:" + value] || value;
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
      if (state.sort < 0) { order = rows.slice(); return; }
      var column = state.sort, dir = state.dir;
      order = rows.slice().sort(function (a, b) {
        var x = sortKey(a, column), y = sortKey(b, column);
        var c = typeof x === "number" && typeof y === "number" ? x - y : collator.compare(String(x), String(y));
        return c * dir || a.index - b.index;
      });
    }

    // ---- filtering -----------------------------------------------------------------------
    function passes(row, terms, skip) {
      for (var t = 0; t < terms.length; t++) if (row.text.indexOf(terms[t]) < 0) return false;
      for (var key in state.filters) {
        if (key === skip || !state.filters[key]) continue;
        var values = row.values[key];
        if (!values || values.indexOf(state.filters[key]) < 0) return false;
      }
      return true;
    }

    function update(keepLimit) {
      var terms = fold(state.q).split(/\s+/).filter(Boolean);
      if (!keepLimit) state.limit = DOM_LIMIT;
      matched = order.filter(function (r) { return passes(r, terms, null); });
      render();
      facets.forEach(function (f) { updateCounts(f, terms); });
      var shown = Math.min(matched.length, state.limit);
      status.textContent = matched.length + " of " + rows.length + " " + noun +
        (shown < matched.length ? " (first " + shown + " shown)" : "");
      writeUrl();
    }

    function render() {
      var shown = matched.slice(0, state.limit).map(function (r) { return r.tr; });
      tbody.replaceChildren.apply(tbody, shown);
      var rest = matched.length - shown.length;
      more.hidden = rest <= 0;
      more.textContent = rest > 0 ? "Show " + Math.min(rest, DOM_LIMIT) + " more of " + rest : "";
    }

    function updateCounts(f, terms) {
      var counts = {};
      rows.forEach(function (r) {
        if (!passes(r, terms, f.key)) return;
        (r.values[f.key] || []).forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
      });
      Array.prototype.forEach.call(selects[f.key].options, function (option) {
        if (!option.value) return;
        option.textContent = label(f, option.value) + " (" + (counts[option.value] || 0) + ")";
      });
    }

    // ---- URL state -----------------------------------------------------------------------
    function param(name) { return prefix + name; }

    function writeUrl() {
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
    window.addEventListener("beforeprint", function () { tbody.replaceChildren.apply(tbody, matched.map(function (r) { return r.tr; })); });
    window.addEventListener("afterprint", render);

    readUrl();
    applySort();
    update();
    container.setAttribute("data-enhanced", "");
  }

  function init() {
    var containers = document.querySelectorAll("[data-smelter-table]");
    Array.prototype.forEach.call(containers, function (container, i) {
      try {
        // One table keeps short URL parameters (?search=gold); several get the table's id as prefix.
        var table = container.querySelector("table");
        enhance(container, containers.length > 1 ? (table.id || "t" + i) + "." : "");
      } catch (error) {
        // The full static table is still there: enhancement is optional.
        if (window.console) console.error("smelter table enhancement failed", error);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
