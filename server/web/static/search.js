// Search as you type: every form marked data-suggest gets an accessible
// combobox (WAI-ARIA 1.2 pattern) fed by /api/v1/suggest. Without this
// script the forms still work: they submit to /search.
(function () {
  "use strict";
  var DEBOUNCE_MS = 150;

  // sendEvent reports a click or vote against its search's query id
  // (POST /api/v1/events); sendBeacon survives the page being left.
  function sendEvent(type, qid, article, position) {
    if (!qid || !article) { return; }
    var body = JSON.stringify({ events: [{ type: type, query_id: qid, article: article, position: position || null }] });
    var blob = new Blob([body], { type: "application/json" });
    if (!(navigator.sendBeacon && navigator.sendBeacon("/api/v1/events", blob))) {
      fetch("/api/v1/events", { method: "POST", body: body, keepalive: true, headers: { "Content-Type": "application/json" } }).catch(function () {});
    }
  }

  // withQID carries the search's query id to the article, whose vote then
  // names it.
  function withQID(url, qid) {
    return qid ? url + (url.indexOf("?") < 0 ? "?" : "&") + "qid=" + encodeURIComponent(qid) : url;
  }

  function setup(form) {
    var input = form.querySelector("input[role=combobox]");
    var list = form.querySelector("[role=listbox]");
    var status = form.querySelector("[role=status]");
    var locale = (form.querySelector("input[name=locale]") || {}).value || "en";
    var timer = null, controller = null, items = [], active = -1, lastQuery = "";

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(i) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (o, j) { o.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (i >= 0 && options[i]) {
        input.setAttribute("aria-activedescendant", options[i].id);
        options[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(suggestions) {
      items = suggestions;
      list.textContent = "";
      suggestions.forEach(function (s, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = s.title;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { go(i); });
        list.appendChild(li);
      });
      if (suggestions.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status.textContent = suggestions.length + " " + status.getAttribute("data-count-text");
      } else {
        close();
        status.textContent = lastQuery ? status.getAttribute("data-none-text") : "";
      }
      active = -1;
    }

    function go(i) {
      var s = items[i];
      sendEvent("click", s.query_id, s.id, s.position || i + 1);
      window.location.href = withQID(s.url, s.query_id);
    }

    function fetchSuggestions(q) {
      if (controller) { controller.abort(); }
      controller = new AbortController();
      var url = "/api/v1/suggest?locale=" + encodeURIComponent(locale) + "&q=" + encodeURIComponent(q);
      fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) { if (q === lastQuery) { render(data.suggestions || []); } })
        .catch(function (err) { if (err.name !== "AbortError") { close(); } });
    }

    input.addEventListener("input", function () {
      var q = input.value.trim();
      lastQuery = q;
      clearTimeout(timer);
      if (q.length < 2) { render([]); return; }
      timer = setTimeout(function () { fetchSuggestions(input.value); }, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (e) {
      var open = !list.hidden && items.length > 0;
      if (e.key === "ArrowDown") {
        if (open) { e.preventDefault(); highlight((active + 1) % items.length); }
      } else if (e.key === "ArrowUp") {
        if (open) { e.preventDefault(); highlight(active <= 0 ? items.length - 1 : active - 1); }
      } else if (e.key === "Enter") {
        if (open && active >= 0) { e.preventDefault(); go(active); }
      } else if (e.key === "Escape") {
        if (open) { e.preventDefault(); close(); } else { input.value = ""; }
      }
    });

    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function init() {
    document.querySelectorAll("form[data-suggest]").forEach(setup);
    // Result links of the search page carry their search's query id.
    document.querySelectorAll("a[data-qid]").forEach(function (a) {
      a.addEventListener("click", function () {
        sendEvent("click", a.getAttribute("data-qid"), a.getAttribute("data-article"), parseInt(a.getAttribute("data-pos"), 10));
      });
    });
    // The "No" answer reveals its reasons; focus the first so keyboard users land there.
    document.querySelectorAll("details.vote-no").forEach(function (d) {
      d.addEventListener("toggle", function () {
        if (d.open) { var r = d.querySelector("input[type=radio]"); if (r) { r.focus(); } }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
