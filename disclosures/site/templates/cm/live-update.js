/*
 * The preview's live update (scripts/dev serve only; the adapter puts it in each served page in
 * place of MkDocs' reload script, and it is never published). When a save rebuilds the page, the
 * new page is fetched and, if only blocks of the article changed, those blocks are swapped in
 * place: the staff member sees the edit at once, where the page is, without the browser laying
 * out a 2,000-row list again. Anything else (the navigation, the title, the table of contents,
 * the page's head) changed, or the page is not as it was served: the page reloads, as MkDocs'
 * own script does.
 */
(function (settings) {
  "use strict";
  var MARK = "<!--cm-live-update-->";  // the adapter's script starts here: what follows differs per response
  var ARTICLE = "article.md-content__inner";
  var epoch = settings.epoch, served = null;

  // The page as served: its article's blocks (as HTML) and everything around them.
  function parse(text) {
    var end = text.indexOf(MARK);
    var found = /<script>window\.cmLiveUpdate = \{"epoch": (\d+)/.exec(text.slice(end));
    var doc = new DOMParser().parseFromString(end < 0 ? text : text.slice(0, end), "text/html");
    var article = doc.querySelector(ARTICLE);
    if (!article || !found) return null;
    var nodes = Array.prototype.slice.call(article.children);
    var blocks = nodes.map(function (node) { return node.outerHTML; });
    article.replaceChildren();
    return { epoch: Number(found[1]), nodes: nodes, blocks: blocks, around: doc.documentElement.outerHTML };
  }

  function fetchPage() {
    return fetch(location.href, { cache: "no-store" }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    }).then(parse);
  }

  // Swap the blocks that differ (between the common start and the common end) into the live
  // article; false when the page must reload instead.
  function update(next) {
    var article = document.querySelector(ARTICLE);
    if (!served || !next || !article || next.around !== served.around) return false;
    var live = article.children, old = served.blocks, now = next.blocks;
    if (live.length !== old.length) return false;  // a script changed the article's outline
    var start = 0, tail = 0, shortest = Math.min(old.length, now.length);
    while (start < shortest && old[start] === now[start]) start++;
    while (tail < shortest - start && old[old.length - 1 - tail] === now[now.length - 1 - tail]) tail++;
    var before = live[old.length - tail] || null, gone = Array.prototype.slice.call(live, start, old.length - tail);
    var fresh = next.nodes.slice(start, now.length - tail);
    if (fresh.some(runsScript)) return false;  // a swapped-in script would not run: load the page
    var added = fresh.map(function (node) { return document.adoptNode(node); });
    added.forEach(function (node) { article.insertBefore(node, before); });
    gone.forEach(function (node) { node.remove(); });
    served = next;
    added.forEach(function (node) {  // the page's scripts enhance what is new (smelter-table.js)
      node.dispatchEvent(new CustomEvent("cm:content", { bubbles: true }));
    });
    window.dispatchEvent(new Event("resize"));  // scroll-regions.js marks new scrolling boxes
    return true;
  }

  function runsScript(node) {
    var scripts = node.matches("script") ? [node] : Array.prototype.slice.call(node.querySelectorAll("script"));
    return scripts.some(function (script) { return !/json/.test(script.type || ""); });
  }

  function poll() {
    var request = new XMLHttpRequest();
    request.onloadend = function () {
      var latest = parseFloat(this.responseText);
      if (!(latest > epoch)) return setTimeout(poll, this.status === 200 ? 0 : 3000);
      epoch = latest;
      fetchPage().then(function (next) {
        if (!update(next)) location.reload();
        else poll();
      }).catch(function () { location.reload(); });
    };
    request.open("GET", "/livereload/" + epoch + "/" + settings.request);
    request.send();
  }

  window.addEventListener("load", function () {
    fetchPage().then(function (page) {
      if (page && page.epoch === epoch) served = page;  // else: built again meanwhile; the next save reloads
    }).catch(function () {}).then(poll);
  });
})(window.cmLiveUpdate);
