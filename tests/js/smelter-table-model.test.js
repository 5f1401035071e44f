// The table script's model, on plain records: node --test tests/js/ (run by tests/test_js.py).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const M = require("../../disclosures/site/templates/assets/js/smelter-table-model.js");

function row(index, text, values) {
  return { index, text: M.fold(text), values };
}

const ROWS = [
  row(0, "African Gold Refinery Uganda", { metal: ["Gold"], class: ["not_listed"], country: ["Uganda"], risk: ["covered", "greater-risk", "sanction"] }),
  row(1, "Métalor Technologies Switzerland", { metal: ["Gold"], class: ["conformant"], country: ["Switzerland"], risk: ["none"] }),
  row(2, "Taboca Brazil", { metal: ["Tin"], class: ["conformant"], country: ["Brazil"], risk: ["none"] }),
  row(3, "JSC Krastsvetmet Russia", { metal: ["Gold"], class: ["non_conformant"], country: ["Russia"], risk: ["suspension"] }),
];
const compare = (a, b) => a.localeCompare(b);
const label = (key, value) => value;

test("fold ignores case, accents, compatibility forms and invisible characters", () => {
  assert.equal(M.fold("MÉTALOR"), "metalor");
  assert.equal(M.fold("Ｔａｂｏｃａ"), "taboca");          // fullwidth
  assert.equal(M.fold("Tab\u200Boca\u00AD"), "taboca");   // zero-width space, soft hyphen
  assert.deepEqual(M.terms("  Gold   REFINERY "), ["gold", "refinery"]);
});

test("facet values: a multi facet without a value is 'none'; absent attributes are no facet", () => {
  const values = M.facetValues((key) => ({ metal: "Gold", risk: "", year: "2013 2023" })[key] ?? null);
  assert.deepEqual(values, { metal: ["Gold"], risk: ["none"], year: ["2013", "2023"] });
});

test("facets list only what the rows carry, values in label order", () => {
  const facets = M.facetsOf(ROWS, label, compare);
  assert.deepEqual(facets.map((f) => f.key), ["metal", "class", "country", "risk"]);
  assert.deepEqual(facets[0].values, ["Gold", "Tin"]);
  assert.deepEqual(facets[3].values, ["covered", "greater-risk", "none", "sanction", "suspension"]);
});

test("filtering counts each facet under the other filters only", () => {
  const rows = ROWS.map((r) => ({ ...r }));
  const facets = M.facetsOf(rows, label, compare);
  const codes = M.encodeFacets(rows, facets);
  const sizes = facets.map((f) => f.values.length);
  const metal = facets.findIndex((f) => f.key === "metal"), cls = facets.findIndex((f) => f.key === "class");
  const result = M.filterAndCount(rows, [[metal, codes[metal].Gold], [cls, codes[cls].conformant]], sizes);
  assert.deepEqual(result.matched.map((r) => r.index), [1]);
  // Metal counts ignore the metal filter (conformant: 1 gold, 1 tin); class counts ignore the class filter (3 gold rows).
  assert.equal(result.counts[metal][codes[metal].Gold], 1);
  assert.equal(result.counts[metal][codes[metal].Tin], 1);
  assert.equal(result.counts[cls][codes[cls].not_listed], 1);
  assert.equal(result.counts[cls][codes[cls].non_conformant], 1);
  assert.equal(result.counts[cls][codes[cls].conformant], 1);
});

test("text search narrows its last result as the query grows, and starts over when it changes", () => {
  const search = M.textSearch();
  assert.deepEqual(search.find(ROWS, M.terms("gold")).map((r) => r.index), [0]);
  assert.deepEqual(search.find(ROWS, M.terms("gold ref")).map((r) => r.index), [0]);
  assert.deepEqual(search.find(ROWS, M.terms("metalor")).map((r) => r.index), [1]);
  assert.deepEqual(search.find(ROWS, M.terms("")).length, 4);
});

test("sorting is stable, numeric for numbers, and reversible", () => {
  const rows = [{ index: 0, v: 2 }, { index: 1, v: 10 }, { index: 2, v: 2 }];
  assert.deepEqual(M.sortRows(rows, (r) => r.v, 1, compare).map((r) => r.index), [0, 2, 1]);
  assert.deepEqual(M.sortRows(rows, (r) => r.v, -1, compare).map((r) => r.index), [1, 0, 2]);
});

test("URL state round-trips, with a prefix, and ignores unknown values", () => {
  const facets = [{ key: "metal", values: ["Gold", "Tin"] }];
  const state = { q: "gold", filters: { metal: "Tin" }, sort: 2, dir: -1 };
  const params = M.stateToParams(state, ["metal"], "t.", new URLSearchParams("q=site-search"));
  assert.equal(params.toString(), "q=site-search&t.search=gold&t.sort=2&t.dir=desc&t.metal=Tin");
  assert.deepEqual(M.stateFromParams(params, facets, 5, "t."), state);
  const odd = M.stateFromParams(new URLSearchParams("metal=Copper&sort=9"), facets, 5, "");
  assert.deepEqual(odd, { q: "", filters: { metal: "" }, sort: -1, dir: 1 });
});

test("index rows from JSON carry their facets and search text", () => {
  const data = { years: [2013, 2018, 2023], classes: ["conformant", "active"], designations: ["Yes", "Active"], badges: [],
                 rows: [["Gold", "Agosi AG", ["AGOSI"], "Germany", "DE", "CID000035", [0, 0, 0, 2, 1, 1], "", -1]] };
  const [r] = M.rowsFromIndexJson(data);
  assert.deepEqual(r.values, { metal: ["Gold"], class: ["active"], country: ["Germany"], risk: ["none"], year: ["2013", "2023"] });
  const text = M.indexText(data, data.rows[0]);
  assert.ok(text.includes("cid000035") && text.includes("agosi") && text.includes("active"));
  const search = M.textSearch((row) => M.indexText(data, row.rec));  // folded when first searched
  assert.deepEqual(search.find([r], M.terms("AGOSI germany")), [r]);
  assert.deepEqual(M.indexCells(data.rows[0], 3), [[0, 0], null, [1, 1]]);
});

test("the active filters in words, for print and the no-match message", () => {
  const state = { q: " gold ", filters: { metal: "Tin", class: "" }, sort: -1, dir: 1 };
  const said = M.describeFilters(state, [["metal", "Metal"], ["class", "Class"]], (k, v) => (k === "metal" ? v : "?"));
  assert.deepEqual(said, ["search \u201cgold\u201d", "Metal: Tin"]);
  assert.deepEqual(M.describeFilters({ q: "", filters: {} }, [["metal", "Metal"]], (k, v) => v), []);
});

test("the view's CSV neutralizes formulas and quotes like the site's downloads", () => {
  const csv = M.toCsv(["Name", "Country"], [["=HYPERLINK(\"x\")", "a,b"], ["-1", "@x"], ["plain", "line\nbreak"]]);
  assert.equal(csv, "\ufeffName,Country\r\n\"'=HYPERLINK(\"\"x\"\")\",\"a,b\"\r\n'-1,'@x\r\nplain,\"line\nbreak\"\r\n");
});

test("only a word longer than a column may break inside itself", () => {
  assert.equal(M.hasLongWord("Changsha South Tantalum Niobium Co., Ltd."), false);
  assert.equal(M.hasLongWord("x".repeat(29)), true);
  assert.equal(M.hasLongWord("\u{1F600}".repeat(28)), false);  // counted in characters, as Python does
});

test("a view's workbook: typed cells, neutralized text, XML-safe, header bold, frozen and filtered", () => {
  const view = { names: ["metal", "smelter_name", "in_covered_country", "old_rows", "smelter_id"],
                 rows: [["Gold", "=HYPERLINK(\"x\") <b>&", true, 2, null], ["Tin", "Bell\u0007 \ud800", false, null, "CID000001"]] };
  const parts = M.xlsxParts(view, "Smelters 2023 / a very long sheet title here");
  const sheet = parts["xl/worksheets/sheet1.xml"];
  assert.match(sheet, /<c r="B2" t="inlineStr"><is><t xml:space="preserve">'=HYPERLINK\(&quot;x&quot;\) &lt;b&gt;&amp;<\/t><\/is><\/c>/);
  assert.match(sheet, /<c r="C2" t="b"><v>1<\/v><\/c><c r="D2"><v>2<\/v><\/c><\/row>/);  // no cell for null
  assert.match(sheet, /<t xml:space="preserve">Bell\ufffd \ufffd<\/t>/);
  assert.match(sheet, /<c r="A1" s="1" t="inlineStr">/);
  assert.match(sheet, /state="frozen"/);
  assert.match(sheet, /<autoFilter ref="A1:E3"\/>/);
  assert.match(parts["xl/workbook.xml"], /<sheet name="Smelters 2023   a very long she" sheetId="1"/);  // no "/", 31 long
  assert.equal(M.columnName(0), "A");
  assert.equal(M.columnName(25), "Z");
  assert.equal(M.columnName(26), "AA");
  assert.equal(M.columnName(701), "ZZ");
});
