// The help-centre widget: one <script src="https://help.example/widget.js">
// gives a help button and a panel (or, with data-mount="id", the same flow
// inside that element: the contact page). Search as you type, articles read
// inline, "this solved it" / "I still need help", then a hand-off to customer
// care with the transcript. Shadow DOM keeps styles apart both ways; no
// dependencies; no cookies. Attributes: data-locale (else the page's
// <html lang>), data-entry, data-order, data-token (a signed customer token),
// data-mount, data-order-select (the id of a <select> of the customer's
// orders whose value is the order asked about).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch) { return; }
  var base = new URL(script.src, location.href).origin;
  var ds = script.dataset;
  var locale = (ds.locale || document.documentElement.lang || "en").toLowerCase().slice(0, 2);
  if (locale !== "es") { locale = "en"; }
  var entry = ds.entry || "widget", order = ds.order || "", token = ds.token || "";
  var orderSelect = ds.orderSelect ? document.getElementById(ds.orderSelect) : null;
  var T = {
    en: { help: "Help", title: "How can we help?", close: "Close help", subject: "Subject", question: "Your question",
      searching: "Looking for answers…", found: " articles may answer your question", one: "One article may answer your question",
      none: "No article matches yet; keep typing, or write to us.", read: "Read", back: "Back to suggestions",
      solved: "This solved it", need: "I still need help", thanks: "Glad it helped! You can close this panel.",
      contactTitle: "Write to customer care", email: "Your email (we answer there)", send: "Send to customer care",
      sending: "Sending…", sent: "Your message reached customer care. Your reference: ", failed: "Sorry, that did not go through: ",
      nextAccount: "Customer care answers within %s, in your account's messages.",
      nextEmail: "Customer care answers within %s by email. We sent you a link: follow it to confirm your address.", hours: " hours",
      askFirst: "Please write to us: we need to look at your order.", topic: "Topic: ", loading: "Loading the article…",
      full: "Open the full article", refused: "Help is not available on this page: this site is not allowed to use our help centre.",
      unreachable: "Our help centre cannot be reached just now. Please try again later." },
    es: { help: "Ayuda", title: "¿En qué podemos ayudarte?", close: "Cerrar la ayuda", subject: "Asunto", question: "Tu pregunta",
      searching: "Buscando respuestas…", found: " artículos pueden responder tu pregunta", one: "Un artículo puede responder tu pregunta",
      none: "Aún no hay ningún artículo; sigue escribiendo o escríbenos.", read: "Leer", back: "Volver a las sugerencias",
      solved: "Esto lo ha resuelto", need: "Todavía necesito ayuda", thanks: "¡Nos alegra que te haya servido! Puedes cerrar este panel.",
      contactTitle: "Escribe a atención al cliente", email: "Tu correo (te responderemos allí)", send: "Enviar a atención al cliente",
      sending: "Enviando…", sent: "Tu mensaje ha llegado a atención al cliente. Tu referencia: ", failed: "Lo sentimos, no se ha podido enviar: ",
      nextAccount: "Atención al cliente te responde en un plazo de %s, en los mensajes de tu cuenta.",
      nextEmail: "Atención al cliente te responde en un plazo de %s por correo. Te hemos enviado un enlace: ábrelo para confirmar tu dirección.", hours: " horas",
      askFirst: "Escríbenos: necesitamos revisar tu pedido.", topic: "Tema: ", loading: "Cargando el artículo…",
      full: "Abrir el artículo completo", refused: "La ayuda no está disponible en esta página: este sitio no tiene permiso para usar nuestro centro de ayuda.",
      unreachable: "Ahora mismo no podemos conectar con el centro de ayuda. Inténtalo de nuevo más tarde." }
  }[locale];

  var CSS = ":host{all:initial}*{box-sizing:border-box}" +
    ".w{font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2433}" +
    ".launch{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;padding:12px 20px;background:#1f4fa3;color:#fff;font-weight:600;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}" +
    ".panel{background:#fff;display:flex;flex-direction:column}" +
    ".float{position:fixed;right:20px;bottom:84px;z-index:2147483001;width:400px;max-width:calc(100vw - 24px);max-height:calc(100vh - 104px);border-radius:12px;box-shadow:0 10px 40px rgba(0,0,0,.3);overflow:hidden}" +
    ".inline{border:1px solid #c9d1de;border-radius:10px}" +
    "[hidden]{display:none!important}" +
    ".head{display:flex;align-items:center;justify-content:space-between;padding:12px 16px;background:#1f4fa3;color:#fff}" +
    "h2{font-size:1.1em;margin:0}h3{font-size:1.05em;margin:.2em 0 .4em}" +
    ".x{border:0;background:transparent;color:#fff;font-size:24px;line-height:1;cursor:pointer;padding:4px 8px;border-radius:6px}" +
    ".body{padding:16px;overflow:auto;display:flex;flex-direction:column;gap:12px}" +
    "label{display:block;font-weight:600;margin:0 0 4px}" +
    "input,textarea{width:100%;font:inherit;padding:8px 10px;border:1px solid #6b7689;border-radius:6px;color:#1d2433;background:#fff}" +
    "textarea{min-height:90px;resize:vertical}" +
    "button{font:inherit}.b{border:0;border-radius:6px;padding:8px 14px;background:#1f4fa3;color:#fff;cursor:pointer;font-weight:600}" +
    ".b2{border:1px solid #1f4fa3;border-radius:6px;padding:7px 13px;background:#fff;color:#1f4fa3;cursor:pointer}" +
    ":focus-visible{outline:3px solid #f5a623;outline-offset:2px}" +
    ".results ul,.notices{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:8px}" +
    ".results li{border:1px solid #d5dbe5;border-radius:8px;padding:10px 12px}.art ul,.art ol{padding-left:1.4em}" +
    ".t{display:block;width:100%;text-align:left;border:0;background:none;padding:0;color:#1f4fa3;font-weight:600;text-decoration:underline;cursor:pointer}" +
    ".sn,.why,.st,.note{font-size:.9em;color:#4a5468;margin:.3em 0 0}mark{background:#fff0b3;color:inherit}" +
    ".art{border-top:1px solid #d5dbe5;padding-top:8px}.art:focus{outline:none}.art img{max-width:100%}.art a{color:#1f4fa3}" +
    ".row{display:flex;gap:8px;flex-wrap:wrap}.ok{color:#1e6b3a;font-weight:600}.err{color:#a12622}" +
    ".notices li{border:0;padding:0 0 0 10px;border-left:3px solid #f5a623;border-radius:0;font-size:.95em}" +
    ".ask .contact{order:-1}" +
    "@media (max-width:480px){.float{right:6px;left:6px;bottom:76px;width:auto}}";

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") { e.textContent = attrs[k]; } else if (k.slice(0, 2) === "on") { e.addEventListener(k.slice(2), attrs[k]); } else { e.setAttribute(k, attrs[k]); }
    }
    (kids || []).forEach(function (c) { if (c) { e.appendChild(c); } });
    return e;
  }

  // Server HTML (article bodies, snippets) goes through an inert <template>
  // and only known-safe nodes are copied out: scripts never run.
  var SAFE = /^(P|A|UL|OL|LI|STRONG|EM|B|I|CODE|PRE|H2|H3|H4|BLOCKQUOTE|TABLE|THEAD|TBODY|TR|TH|TD|BR|HR|MARK|IMG)$/;
  function safe(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    var out = document.createDocumentFragment();
    (function copy(from, to) {
      from.childNodes.forEach(function (n) {
        if (n.nodeType === 3) { to.appendChild(document.createTextNode(n.nodeValue)); return; }
        if (n.nodeType !== 1) { return; }
        if (!SAFE.test(n.tagName)) { to.appendChild(document.createTextNode(n.textContent)); return; }
        var c = document.createElement(n.tagName);
        if (n.tagName === "A" && /^(https?:|\/)/.test(n.getAttribute("href") || "")) {
          c.href = new URL(n.getAttribute("href"), base).href; c.target = "_blank"; c.rel = "noopener";
        }
        if (n.tagName === "IMG" && /^(https?:|\/)/.test(n.getAttribute("src") || "")) {
          c.src = new URL(n.getAttribute("src"), base).href; c.alt = n.getAttribute("alt") || "";
        }
        copy(n, c);
        to.appendChild(c);
      });
    })(t.content, out);
    return out;
  }

  function api(path, body) {
    var h = { "Content-Type": "application/json" };
    if (token) { h.Authorization = "Bearer " + token; }
    return fetch(base + path, { method: body ? "POST" : "GET", headers: h, body: body ? JSON.stringify(body) : undefined,
      credentials: "omit", mode: "cors", keepalive: !!body && path.indexOf("/events") > 0 })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (j) {
          if (!r.ok) { var e = new Error(j.detail || r.status); e.code = j.code; throw e; }
          return j;
        });
      });
  }

  var mount = ds.mount ? document.getElementById(ds.mount) : null;
  var host = mount || el("div", { "data-helpcentre-widget": "" });
  if (!mount) { document.body.appendChild(host); }
  var root = host.attachShadow({ mode: "open" });
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch (e) { root.appendChild(el("style", { text: CSS })); }

  var session = "", mode = "self_service", signedIn = false, timer = null, ctrl = null, last = "", current = null;
  var subject = el("input", { id: "s", type: "text", maxlength: "200", autocomplete: "off" });
  var question = el("textarea", { id: "q", maxlength: "5000" });
  var status = el("p", { "class": "st", role: "status", "aria-live": "polite" });
  var notices = el("ul", { "class": "notices", "aria-label": "Your order" });
  var list = el("ul", { "aria-label": T.title });
  var needBtn = el("button", { type: "button", "class": "b2", text: T.need, onclick: function () { need(null); } });
  var results = el("div", { "class": "results" }, [status, list]);
  var article = el("section", { "class": "art", "aria-labelledby": "ah", tabindex: "-1", hidden: "" });
  var email = el("input", { id: "e", type: "email", autocomplete: "email", maxlength: "254" });
  var emailRow = el("div", {}, [el("label", { "for": "e", text: T.email }), email]);
  var sendStatus = el("p", { "class": "st", role: "status", "aria-live": "polite" });
  var contact = el("form", { "class": "contact", "aria-labelledby": "ch", novalidate: "", onsubmit: send },
    [el("h3", { id: "ch", text: T.contactTitle }), emailRow, el("div", { "class": "row" }, [el("button", { type: "submit", "class": "b", text: T.send })]), sendStatus]);
  var done = el("p", { "class": "ok", tabindex: "-1", role: "status", hidden: "" });
  var ask = el("form", { role: "search", "aria-label": T.title, onsubmit: function (e) { e.preventDefault(); search(true); } },
    [el("label", { "for": "s", text: T.subject }), subject, el("label", { "for": "q", text: T.question }), question]);
  var body = el("div", { "class": "body" }, [notices, ask, el("div", { "class": "row" }, [needBtn]), results, article, contact, done]);
  var heading = el("h2", { id: "h", text: T.title });
  var panel, launch;
  if (mount) {
    panel = el("section", { "class": "w panel inline", "aria-labelledby": "h" }, [el("div", { "class": "head" }, [heading]), body]);
  } else {
    launch = el("button", { type: "button", "class": "w launch", "aria-expanded": "false", "aria-controls": "p", text: T.help, onclick: open });
    panel = el("div", { id: "p", "class": "w panel float", role: "dialog", "aria-modal": "true", "aria-labelledby": "h", hidden: "" },
      [el("div", { "class": "head" }, [heading, el("button", { type: "button", "class": "x", "aria-label": T.close, text: "×", onclick: close })]), body]);
    panel.addEventListener("keydown", trap);
    root.appendChild(launch);
  }
  root.appendChild(panel);
  notices.hidden = true;
  needBtn.hidden = true;
  contact.hidden = true;

  function open() {
    panel.hidden = false;
    launch.setAttribute("aria-expanded", "true");
    subject.focus();
    if (!session) { search(true); }
  }
  function close() {
    panel.hidden = true;
    launch.setAttribute("aria-expanded", "false");
    launch.focus();
  }
  function focusables() {
    return Array.prototype.filter.call(panel.querySelectorAll("button,input,textarea,a[href]"), function (x) {
      return !x.disabled && x.offsetParent !== null;
    });
  }
  // The dialog keeps focus inside while open; Escape closes it.
  function trap(e) {
    if (e.key === "Escape") { e.preventDefault(); close(); return; }
    if (e.key !== "Tab") { return; }
    var f = focusables(), first = f[0], lastF = f[f.length - 1], a = root.activeElement;
    if (e.shiftKey && (a === first || !panel.contains(a))) { e.preventDefault(); lastF.focus(); }
    else if (!e.shiftKey && a === lastF) { e.preventDefault(); first.focus(); }
  }

  function layout() {
    panel.classList.toggle("ask", mode === "ask_first");
    var typed = (subject.value + question.value).trim() !== "";
    if (mode !== "self_service") { contact.hidden = !done.hidden; }
    needBtn.hidden = mode !== "self_service" || !typed || !contact.hidden || !done.hidden;
    emailRow.hidden = signedIn;
  }

  function onInput() {
    clearTimeout(timer);
    layout();
    timer = setTimeout(function () { search(false); }, 300);
  }
  subject.addEventListener("input", onInput);
  if (orderSelect) { orderSelect.addEventListener("change", function () { last = ""; search(true); }); }
  question.addEventListener("input", onInput);

  function search(force) {
    var q = subject.value.trim() + "\n" + question.value.trim();
    if (!force && q === last) { return; }
    last = q;
    if (ctrl && ctrl.abort) { ctrl.abort(); }
    if (q.trim()) { status.textContent = T.searching; }
    api("/api/v1/deflect", { session: session, subject: subject.value, body: question.value, locale: locale, order: orderSelect ? orderSelect.value : order, entry: entry })
      .then(function (d) {
        if (q !== last) { return; }
        status.className = "st";
        session = d.session; mode = d.mode; signedIn = d.signed_in;
        notices.textContent = "";
        ((d.order && d.order.notices) || []).concat(mode === "ask_first" ? [T.askFirst] : []).forEach(function (n) { notices.appendChild(el("li", { text: n })); });
        notices.hidden = !notices.firstChild;
        render(q.trim() ? d.suggestions : null);
        layout();
      })
      .catch(function (err) { status.textContent = ""; if (err && err.name !== "AbortError") { unavailable(err); } });
  }

  // unavailable says in the panel that help cannot be had here, and in the
  // console why: a site missing from the help centre's allow-list, or the
  // help centre out of reach.
  function unavailable(err) {
    var refused = err.code === "origin_not_allowed";
    status.className = "st err";
    status.textContent = refused ? T.refused : T.unreachable;
    if (refused) {
      ask.hidden = true; needBtn.hidden = true; contact.hidden = true;
      console.error("Help-centre widget: " + base + " refuses this page's origin (" + location.origin + "): start the help centre with --widget-origins " + location.origin + " (HELPCENTRE_WIDGET_ORIGINS). " + err.message);
    } else {
      console.error("Help-centre widget: " + base + " cannot be reached: " + err.message);
    }
  }

  function render(sugg) {
    list.textContent = "";
    if (!sugg) { status.textContent = ""; return; }
    sugg.forEach(function (s) {
      list.appendChild(el("li", {}, [
        el("button", { type: "button", "class": "t", text: s.title, onclick: function () { read(s); } }),
        el("p", { "class": "sn" }, [safe(String(s.snippet))]),
        // The engine's why ("Matched …") is for editors; customers see the topic.
        s.topic ? el("p", { "class": "why", text: T.topic + s.topic }) : null
      ]));
    });
    status.textContent = sugg.length === 0 ? T.none : sugg.length === 1 ? T.one : sugg.length + T.found;
  }

  function event(type, extra) {
    if (!session) { return Promise.resolve({}); }
    var b = extra || {};
    b.type = type;
    return api("/api/v1/deflect/" + encodeURIComponent(session) + "/events" + (type === "handoff" ? "?locale=" + locale + "&entry=" + encodeURIComponent(entry) : ""), b);
  }

  // insight reports what was done with a suggestion against its search's
  // query id (POST /api/v1/events), for the search analytics and learning.
  function insight(type, s) {
    if (!s || !s.query_id) { return; }
    api("/api/v1/events", { events: [{ type: type, query_id: s.query_id, article: s.id, position: s.position || null }] }).catch(function () {});
  }

  // read shows an article inside the panel, without leaving the page.
  function read(s) {
    current = s;
    insight("click", s);
    article.hidden = false;
    article.textContent = "";
    article.appendChild(el("p", { "class": "st", text: T.loading }));
    event("opened", { article: s.id }).catch(function () {});
    api("/api/v1/articles/" + encodeURIComponent(s.id) + "?locale=" + locale).then(function (a) {
      article.textContent = "";
      article.appendChild(el("h3", { id: "ah", text: a.title }));
      article.appendChild(el("div", {}, [safe(a.html)]));
      article.appendChild(el("p", {}, [el("a", { href: new URL(a.url, base).href, target: "_blank", rel: "noopener", text: T.full })]));
      article.appendChild(el("div", { "class": "row" }, [
        el("button", { type: "button", "class": "b", text: T.solved, onclick: solved }),
        el("button", { type: "button", "class": "b2", text: T.need, onclick: function () { need(s); } }),
        el("button", { type: "button", "class": "b2", text: T.back, onclick: function () { article.hidden = true; list.querySelector("button").focus(); } })
      ]));
      article.focus();
    }).catch(function (err) { article.textContent = T.failed + err.message; });
  }

  function solved() {
    event("helpful", { article: current.id }).catch(function () {});
    insight("solved", current);
    article.hidden = true; results.hidden = true; contact.hidden = true; needBtn.hidden = true;
    done.textContent = T.thanks; done.hidden = false; done.focus();
  }

  // need opens the contact form, pre-filled by what was typed above it.
  function need(s) {
    if (s) { event("not_helpful", { article: s.id, reason: "still_need_help" }).catch(function () {}); insight("not_helpful", s); }
    article.hidden = true;
    contact.hidden = false;
    layout();
    (signedIn ? contact.querySelector("button") : email).focus();
  }

  function send(e) {
    e.preventDefault();
    sendStatus.className = "st";
    sendStatus.textContent = T.sending;
    var go = session ? Promise.resolve() : api("/api/v1/deflect", { subject: "", body: "", locale: locale, entry: entry }).then(function (d) { session = d.session; });
    go.then(function () {
      return event("handoff", { subject: subject.value, body: question.value, email: signedIn ? "" : email.value });
    }).then(function (r) {
      insight("handoff", current);
      contact.hidden = true; results.hidden = true; article.hidden = true; needBtn.hidden = true; ask.hidden = true;
      var next = (r.answer_by === "email" ? T.nextEmail : T.nextAccount).replace("%s", (r.answer_within_hours || 24) + T.hours);
      done.textContent = T.sent + (r.reference || "") + ". " + next;
      done.setAttribute("data-thread", r.thread);
      done.setAttribute("data-reference", r.reference || "");
      done.hidden = false;
      done.focus();
    }).catch(function (err) {
      sendStatus.className = "st err";
      sendStatus.textContent = T.failed + err.message;
    });
  }

  if (mount) { search(true); }
})();
