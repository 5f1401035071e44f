/*
 * The smelter table's model: pure functions over plain row records, no DOM. Filtering with
 * per-facet counts, sorting, search folding, the URL state. Unit-tested with Node's test
 * runner (tests/js/); smelter-table.js is the DOM view over it.
 *
 * A row record: { index, text (folded search text), values: { facet: [value, ...] },
 *                 codes: [[code, ...] per facet] (filled by encodeFacets) }.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.CmTableModel = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // The facets a table may have, by its rows' data-* attributes; labels come from the page.
  var FACETS = [
    { key: "metal", multi: false },
    { key: "class", multi: false },
    { key: "country", multi: false },
    { key: "risk", multi: true },
    { key: "year", multi: true }
  ];

  // As disclosures/engine/names.py folds: compatibility forms (fullwidth, ligatures) unified,
  // invisible format characters (zero-width, bidi controls, soft hyphen) dropped, accents ignored.
  var ASCII = /^[\x00-\x7f]*$/;  // unchanged by both normalizations and free of format characters

  function fold(text) {
    text = String(text);
    if (ASCII.test(text)) return text.toLowerCase();
    return text.normalize("NFKC").replace(/\p{Cf}/gu, "").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // As render/tables.py long_word: a word of more than 28 characters may break inside itself.
  function hasLongWord(name) {
    return String(name).split(/\s+/).some(function (w) { return Array.from(w).length > 28; });
  }

  function terms(query) {
    return fold(query).split(/\s+/).filter(Boolean);
  }

  // { facet: [values] } from an attribute getter; a multi facet with no value is "none".
  function facetValues(get) {
    var values = {};
    FACETS.forEach(function (f) {
      var raw = get(f.key);
      if (raw === null || raw === undefined) return;
      values[f.key] = f.multi ? (raw ? raw.split(" ") : ["none"]) : [raw];
    });
    return values;
  }

  // The facets present in `rows`, each with its values in display order. (Plain loops: this
  // and encodeFacets run over every row of a 10,000-row index while the page loads.)
  var NONE = [];

  function facetsOf(rows, labelOf, compare) {
    var facets = [];
    FACETS.forEach(function (f) {
      var seen = {}, present = false;
      for (var i = 0; i < rows.length; i++) {
        var values = rows[i].values[f.key] || NONE;
        if (rows[i].values[f.key]) present = true;
        for (var k = 0; k < values.length; k++) seen[values[k]] = true;
      }
      if (!present) return;
      var values = Object.keys(seen).sort(function (a, b) { return compare(labelOf(f.key, a), labelOf(f.key, b)); });
      facets.push({ key: f.key, values: values });
    });
    return facets;
  }

  // Small integer codes per facet value, on every row: counting 10,000 rows x 20 years stays cheap.
  function encodeFacets(rows, facets) {
    var codes = facets.map(function (f) {
      var byValue = {};
      f.values.forEach(function (v, i) { byValue[v] = i; });
      return byValue;
    });
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      r.codes = new Array(facets.length);
      for (var fi = 0; fi < facets.length; fi++) {
        var values = r.values[facets[fi].key] || NONE, own = new Array(values.length);
        for (var k = 0; k < values.length; k++) own[k] = codes[fi][values[k]];
        r.codes[fi] = own;
      }
    }
    return codes;
  }

  // Text search that narrows its last result while the query only grows. `textOf(row)`: a row's
  // folded text (default: row.text), so a large index can fold its rows' text when first needed.
  function textSearch(textOf) {
    textOf = textOf || function (r) { return r.text; };
    var lastTerms = [], lastFound = null;
    return {
      reset: function () { lastTerms = []; lastFound = null; },
      find: function (rows, queryTerms) {
        var narrows = lastFound !== null && lastTerms.length > 0 && lastTerms.every(function (t, i) {
          return queryTerms[i] !== undefined && queryTerms[i].indexOf(t) >= 0;
        });
        var source = narrows ? lastFound : rows;
        var found = !queryTerms.length ? source.slice() : source.filter(function (r) {
          var text = textOf(r);
          for (var t = 0; t < queryTerms.length; t++) if (text.indexOf(queryTerms[t]) < 0) return false;
          return true;
        });
        lastTerms = queryTerms;
        lastFound = found;
        return found;
      }
    };
  }

  // The rows passing every active filter, and per facet the counts under every *other* filter.
  // `active`: [[facet index, value code], ...]; `sizes`: the number of values of each facet.
  function filterAndCount(rows, active, sizes) {
    var counts = sizes.map(function (n) { return new Int32Array(n); });
    var matched = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], failed = -1, failures = 0;
      for (var a = 0; a < active.length; a++) {
        if (r.codes[active[a][0]].indexOf(active[a][1]) < 0) { failed = active[a][0]; failures++; }
      }
      if (failures > 1) continue;
      if (failures === 0) matched.push(r);
      for (var fi = 0; fi < sizes.length; fi++) {
        if (failures === 1 && fi !== failed) continue;
        var own = r.codes[fi], tally = counts[fi];
        for (var k = 0; k < own.length; k++) tally[own[k]]++;
      }
    }
    return { matched: matched, counts: counts };
  }

  // A stable sort by `key(row)` (numbers numerically, text by `compare`), `dir` 1 or -1.
  function sortRows(rows, key, dir, compare) {
    return rows.slice().sort(function (a, b) {
      var x = key(a), y = key(b);
      var c = typeof x === "number" && typeof y === "number" ? x - y : compare(String(x), String(y));
      return c * dir || a.index - b.index;
    });
  }

  // The table state as URL parameters (prefixed when a page has several tables). Not "q":
  // Material reads ?q= to open its own site search.
  function stateToParams(state, facetKeys, prefix, params) {
    var entries = { search: state.q, sort: state.sort >= 0 ? String(state.sort) : "", dir: state.dir < 0 ? "desc" : "" };
    facetKeys.forEach(function (k) { entries[k] = state.filters[k] || ""; });
    Object.keys(entries).forEach(function (k) {
      if (entries[k]) params.set(prefix + k, entries[k]); else params.delete(prefix + k);
    });
    return params;
  }

  // The state from URL parameters; unknown facet values and columns are ignored.
  function stateFromParams(params, facets, columns, prefix) {
    var state = { q: params.get(prefix + "search") || "", filters: {}, sort: -1, dir: 1 };
    facets.forEach(function (f) {
      var value = params.get(prefix + f.key) || "";
      state.filters[f.key] = f.values.indexOf(value) >= 0 ? value : "";
    });
    var sort = parseInt(params.get(prefix + "sort"), 10);
    state.sort = sort >= 0 && sort < columns ? sort : -1;
    state.dir = params.get(prefix + "dir") === "desc" ? -1 : 1;
    return state;
  }

  // The active search and filters in words, for the printed page and the "no match" message:
  // ["search \u201cgold\u201d", "Metal: Tin", ...]. `names`: [[facet key, facet name], ...].
  function describeFilters(state, names, labelOf) {
    var said = state.q.trim() ? ["search \u201c" + state.q.trim() + "\u201d"] : [];
    names.forEach(function (n) {
      if (state.filters[n[0]]) said.push(n[1] + ": " + labelOf(n[0], state.filters[n[0]]));
    });
    return said;
  }

  // CSV of the rows in view, as the site's downloads write it (render/downloads.py): a BOM for
  // Excel, CRLF, and a cell starting like a formula (= + - @ tab CR) neutralized with a quote.
  function csvCell(value) {
    var v = String(value);
    if (/^[=+\-@\t\r]/.test(v)) v = "'" + v;
    return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }

  function toCsv(header, rows) {
    return "\ufeff" + [header].concat(rows).map(function (r) { return r.map(csvCell).join(","); }).join("\r\n") + "\r\n";
  }

  // A value of a JSON download (render/downloads.py) as its CSV twin writes it: Python's csv
  // module over neutralized cells (null -> empty, true -> True, numbers as digits).
  function downloadCell(value) {
    if (value === null || value === undefined) return "";
    if (value === true) return "True";
    if (value === false) return "False";
    return String(value);
  }

  // The rows in view as a table download: `file` is the full JSON download ({..., schema:
  // {fields}, data: [rows]}), `indexes` the view's rows (positions in the file, in view order),
  // `filedOnly` keeps the columns the filing printed. The same columns and values as the full
  // download, so a view's CSV is the full CSV's lines for those rows (a browser test compares).
  function viewTable(file, indexes, filedOnly) {
    var fields = file.schema.fields.filter(function (f) { return !filedOnly || f.provenance === "as filed"; });
    var names = fields.map(function (f) { return f.name; });
    var rows = indexes.map(function (i) {
      var rec = file.data[i];
      return names.map(function (n) { return rec[n]; });
    });
    return { fields: fields, names: names, rows: rows };
  }

  function viewCsv(view) {
    return toCsv(view.names, view.rows.map(function (r) { return r.map(downloadCell); }));
  }

  function viewJson(file, view) {
    var out = {};
    Object.keys(file).forEach(function (k) { if (k !== "schema" && k !== "data") out[k] = file[k]; });
    out.row_count = view.rows.length;
    out.schema = { fields: view.fields, missingValues: file.schema.missingValues || [""] };
    out.data = view.rows.map(function (r) {
      var rec = {};
      view.names.forEach(function (n, i) { rec[n] = r[i] === undefined ? null : r[i]; });
      return rec;
    });
    return JSON.stringify(out) + "\n";
  }

  // ---- a view as an XLSX workbook: the parts of the package, zipped by the caller ----------
  // As render/downloads.py writes the full download with openpyxl: text neutralized (a formula
  // start gets an apostrophe), characters XML 1.0 cannot hold replaced with U+FFFD, numbers and
  // booleans typed, empty cells left out; a bold header row, frozen, with an auto-filter.
  var XML_ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/g;

  function xmlText(value) {
    return String(value).replace(XML_ILLEGAL, "\ufffd").replace(/&/g, "&amp;").replace(/</g, "&lt;")
      .replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  function columnName(index) {  // 0 -> A, 26 -> AA
    var name = "";
    for (var n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + (n - 1) % 26) + name;
    return name;
  }

  function sheetCell(ref, value, style) {
    if (value === null || value === undefined || value === "") return "";
    var s = style ? ' s="' + style + '"' : "";
    if (typeof value === "boolean") return '<c r="' + ref + '"' + s + ' t="b"><v>' + (value ? 1 : 0) + "</v></c>";
    if (typeof value === "number") return '<c r="' + ref + '"' + s + "><v>" + value + "</v></c>";
    var text = String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return '<c r="' + ref + '"' + s + ' t="inlineStr"><is><t xml:space="preserve">' + xmlText(text) + "</t></is></c>";
  }

  function xlsxParts(view, title) {
    title = title.replace(/[\\\/?*\[\]:]/g, " ").slice(0, 31);  // what Excel allows in a sheet's name
    var xml = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
    var main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    var rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    var last = columnName(Math.max(0, view.names.length - 1));
    var widths = view.names.map(function (name, c) {
      var longest = name.length;
      view.rows.slice(0, 2000).forEach(function (r) { longest = Math.max(longest, r[c] === null ? 0 : String(r[c]).length); });
      return '<col min="' + (c + 1) + '" max="' + (c + 1) + '" width="' + Math.min(Math.max(10, longest + 2), 60) + '" customWidth="1"/>';
    });
    var rows = ['<row r="1">' + view.names.map(function (n, c) { return sheetCell(columnName(c) + "1", n, 1); }).join("") + "</row>"];
    view.rows.forEach(function (r, i) {
      rows.push('<row r="' + (i + 2) + '">' + r.map(function (v, c) { return sheetCell(columnName(c) + (i + 2), v, 0); }).join("") + "</row>");
    });
    return {
      "[Content_Types].xml": xml + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
      "_rels/.rels": xml + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="' + rel + '/officeDocument" Target="xl/workbook.xml"/></Relationships>',
      "xl/workbook.xml": xml + '<workbook xmlns="' + main + '" xmlns:r="' + rel + '"><sheets><sheet name="' +
        xmlText(title) + '" sheetId="1" r:id="rId1"/></sheets>' +
        '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">\'' +
        xmlText(title.replace(/'/g, "''")) + "'!$A$1:$" + last + "$" + (view.rows.length + 1) + "</definedName></definedNames></workbook>",
      "xl/_rels/workbook.xml.rels": xml + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="' + rel + '/worksheet" Target="worksheets/sheet1.xml"/>' +
        '<Relationship Id="rId2" Type="' + rel + '/styles" Target="styles.xml"/></Relationships>',
      "xl/styles.xml": xml + '<styleSheet xmlns="' + main + '">' +
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/></font></fonts>' +
        '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>' +
        '<fill><patternFill patternType="solid"><fgColor rgb="FF1F3A5F"/></patternFill></fill></fills>' +
        '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>' +
        '<cellXfs count="2"><xf xfId="0"/><xf xfId="0" fontId="1" fillId="2" applyFont="1" applyFill="1"/></cellXfs>' +
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
      "xl/worksheets/sheet1.xml": xml + '<worksheet xmlns="' + main + '"><dimension ref="A1:' + last + (view.rows.length + 1) + '"/>' +
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>' +
        "<cols>" + widths.join("") + "</cols><sheetData>" + rows.join("") + "</sheetData>" +
        '<autoFilter ref="A1:' + last + (view.rows.length + 1) + '"/></worksheet>'
    };
  }

  // Rows of a very large cross-filing index from its compact JSON (see smelter_index.py): a
  // row's cells come as [year index, class index, designation index, ...] for the filings listing it.
  function rowsFromIndexJson(data) {
    var years = data.years.map(String);
    return data.rows.map(function (rec, i) {
      var cells = rec[6], listed = [], latest = null;
      for (var c = 0; c < cells.length; c += 3) {
        listed.push(years[cells[c]]);
        latest = data.classes[cells[c + 1]];
      }
      return { index: i, rec: rec, text: null,  // indexText(), when first searched
               values: { metal: [rec[0]], "class": [latest], country: [rec[3]],
                         risk: rec[7] ? rec[7].split(" ") : ["none"], year: listed } };
    });
  }

  // What a search matches in an index row: names, country, code, RMI ID and designations, folded.
  function indexText(data, rec) {
    var words = rec[0] + " " + rec[1] + " " + rec[2].join(" ") + " " + rec[3] + " " + rec[4] + " " + rec[5];
    for (var c = 0; c < rec[6].length; c += 3) words += " " + data.designations[rec[6][c + 2]];
    return fold(words);
  }

  // A row's cells per filing: null (not listed) or [class index, designation index].
  function indexCells(rec, yearCount) {
    var dense = new Array(yearCount).fill(null);
    for (var c = 0; c < rec[6].length; c += 3) dense[rec[6][c]] = [rec[6][c + 1], rec[6][c + 2]];
    return dense;
  }

  return { FACETS: FACETS, fold: fold, hasLongWord: hasLongWord, terms: terms, facetValues: facetValues, facetsOf: facetsOf,
           encodeFacets: encodeFacets, textSearch: textSearch, filterAndCount: filterAndCount, sortRows: sortRows,
           stateToParams: stateToParams, describeFilters: describeFilters, toCsv: toCsv, stateFromParams: stateFromParams, rowsFromIndexJson: rowsFromIndexJson,
           indexCells: indexCells, indexText: indexText, downloadCell: downloadCell, viewTable: viewTable, viewCsv: viewCsv,
           viewJson: viewJson, xlsxParts: xlsxParts, columnName: columnName };
});
