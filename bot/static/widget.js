/*
 * Embeddable chat widget: <script src="https://HOST/widget.js" data-title="Hỏi đáp về ASEAN" async></script>
 *
 * Plain ES2017, no build step. Everything lives in a Shadow DOM, so the portal's CSS cannot
 * restyle the widget and ours cannot leak into the portal. Answers, quotes, titles and
 * questions come from documents and users: they are only ever inserted as text nodes
 * (textContent / createTextNode), never parsed as HTML.
 *
 * Optional attributes on the script tag: data-title, data-greeting.
 */
(function () {
  "use strict";
  if (window.__aseanbotWidget) return; // a portal that includes the tag twice gets one widget
  window.__aseanbotWidget = true;

  var script = document.currentScript || (function () {
    // currentScript is null when a loader injects us late; fall back to our own src.
    var all = document.querySelectorAll('script[src*="widget.js"]');
    return all[all.length - 1] || null;
  })();
  if (!script || !script.src) return;

  // The API lives where the script came from, under the same path prefix (proxies may mount it).
  var srcUrl = new URL(script.src, document.baseURI);
  var BASE = srcUrl.origin + srcUrl.pathname.replace(/\/[^\/]*$/, "");
  var TITLE = script.getAttribute("data-title") || "Hỏi đáp văn bản";

  var T = {
    greeting: script.getAttribute("data-greeting") ||
      "Xin chào! Tôi có thể giúp bạn tra cứu nội dung các kế hoạch, văn bản của cơ quan nhà nước. " +
      "Mỗi câu trả lời đều kèm trích dẫn để bạn đối chiếu với văn bản gốc.",
    open: "Mở hộp hỏi đáp: " + TITLE,
    close: "Đóng hộp hỏi đáp",
    suggestionsTitle: "Bạn có thể hỏi:",
    suggestionsLabel: "Câu hỏi gợi ý",
    inputLabel: "Nhập câu hỏi của bạn",
    placeholder: "Nhập câu hỏi của bạn…",
    send: "Gửi câu hỏi",
    stop: "Dừng trả lời",
    thinking: "Đang tìm trong các văn bản…",
    you: "Bạn hỏi",
    bot: "Trợ lý trả lời",
    sources: "Nguồn trích dẫn:",
    citeLabel: function (n, title) { return "Xem trích dẫn " + n + ": " + title; },
    number: "Số hiệu",
    section: "Mục",
    page: "Trang",
    viewSource: "Xem văn bản gốc",
    newTab: " (mở trong thẻ mới)",
    closeCite: "Đóng trích dẫn",
    related: "Các văn bản có thể liên quan:",
    helpful: "Câu trả lời này có hữu ích không?",
    up: "Hữu ích",
    down: "Chưa hữu ích",
    commentLabel: "Góp ý thêm (không bắt buộc)",
    commentSend: "Gửi góp ý",
    thanks: "Cảm ơn bạn đã góp ý!",
    feedbackFailed: "Chưa gửi được góp ý, vui lòng thử lại.",
    tooMany: "Bạn gửi quá nhiều câu hỏi, vui lòng thử lại sau ít phút.",
    network: "Không kết nối được tới máy chủ. Vui lòng kiểm tra mạng và thử lại.",
    server: "Hệ thống đang bận, vui lòng thử lại sau.",
    invalid: "Câu hỏi không hợp lệ, vui lòng kiểm tra lại.",
    tooLong: function (n) { return "Câu hỏi quá dài, vui lòng rút gọn dưới " + n + " ký tự."; },
    interrupted: "Câu trả lời bị gián đoạn, vui lòng hỏi lại.",
    stopped: "Đã dừng trả lời.",
    understood: "Hiểu câu hỏi là:",
    disclaimer: "Câu trả lời được trích từ văn bản đã công bố; vui lòng đối chiếu văn bản gốc."
  };

  var CSS = [
    ":host { all: initial !important; }",
    "*, *::before, *::after { box-sizing: border-box; }",
    "[hidden] { display: none !important; }",
    ".root { font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', Arial, sans-serif;",
    "  color: #1c1e21; -webkit-font-smoothing: antialiased; }",
    "button, textarea, input { font: inherit; color: inherit; margin: 0; }",
    "button { cursor: pointer; }",
    ":focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }",
    ".sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;",
    "  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }",
    ".launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 60px; height: 60px;",
    "  border-radius: 50%; border: 0; padding: 0; background: #0b4f9c; color: #fff; display: flex;",
    "  align-items: center; justify-content: center; box-shadow: 0 4px 14px rgba(0,0,0,.28); }",
    ".launcher:hover { background: #093f7d; }",
    ".launcher svg { width: 30px; height: 30px; fill: currentColor; }",
    ".panel { position: fixed; right: 20px; bottom: 92px; z-index: 2147483001; width: 390px;",
    "  height: min(620px, calc(100vh - 112px)); display: flex; flex-direction: column; background: #fff;",
    "  border-radius: 14px; overflow: hidden; box-shadow: 0 12px 40px rgba(0,0,0,.3); }",
    ".head { display: flex; align-items: center; gap: 8px; padding: 12px 12px 12px 16px; background: #0b4f9c; color: #fff; }",
    ".head h2 { flex: 1; margin: 0; font-size: 16px; font-weight: 600; line-height: 1.3; color: #fff; }",
    ".icon-btn { width: 36px; height: 36px; border: 0; border-radius: 8px; background: transparent; color: inherit;",
    "  font-size: 24px; line-height: 1; padding: 0; }",
    ".icon-btn:hover { background: rgba(255,255,255,.16); }",
    ".messages { flex: 1; overflow-y: auto; padding: 14px; background: #f4f5f7; display: flex; flex-direction: column; gap: 10px; }",
    ".msg { max-width: 92%; padding: 9px 12px; border-radius: 12px; overflow-wrap: anywhere; }",
    ".msg.user { align-self: flex-end; background: #0b4f9c; color: #fff; border-bottom-right-radius: 4px; white-space: pre-wrap; }",
    ".msg.bot { align-self: flex-start; background: #fff; border: 1px solid #dde1e6; border-bottom-left-radius: 4px; }",
    ".msg.error { align-self: stretch; max-width: none; background: #fdecea; border: 1px solid #f5c2bd; color: #8a1c12; }",
    ".answer { white-space: pre-wrap; }",
    ".thinking { color: #5f6670; font-style: italic; }",
    ".cite { display: inline-block; min-width: 22px; margin: 0 2px; padding: 0 5px; border: 1px solid #0b4f9c;",
    "  border-radius: 6px; background: #e8f0fa; color: #0b4f9c; font-size: 12px; font-weight: 600; line-height: 18px;",
    "  vertical-align: 1px; }",
    ".cite[aria-expanded=true] { background: #0b4f9c; color: #fff; }",
    ".card { margin-top: 8px; padding: 10px 12px; border-left: 4px solid #e0b400; background: #fffbea; border-radius: 6px; }",
    ".card-head { display: flex; gap: 6px; align-items: flex-start; }",
    ".card-title { flex: 1; margin: 0; font-weight: 600; font-size: 14px; }",
    ".card .icon-btn { width: 28px; height: 28px; font-size: 20px; color: #5f6670; }",
    ".card .icon-btn:hover { background: rgba(0,0,0,.06); }",
    ".meta { margin: 2px 0 6px; font-size: 13px; color: #4a5058; }",
    ".quote { margin: 0 0 8px; padding: 0; font-size: 14px; white-space: pre-wrap; color: #1c1e21; }",
    "a.link { color: #0b4f9c; font-weight: 600; font-size: 14px; }",
    ".sources { margin: 10px 0 0; padding: 8px 0 0; border-top: 1px solid #e6e8eb; font-size: 13px; }",
    ".sources p { margin: 0 0 4px; color: #4a5058; }",
    ".sources ol, .related ul { margin: 0; padding: 0; list-style: none; }",
    ".sources li, .related li { margin: 2px 0; }",
    ".related { margin-top: 8px; font-size: 14px; }",
    ".understood { margin: 0 0 4px; font-size: 12px; line-height: 1.4; color: #5f6670; }",
    ".related p { margin: 0 0 4px; font-weight: 600; }",
    ".feedback { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-top: 8px; font-size: 13px; color: #4a5058; }",
    ".fb-btn { display: inline-flex; align-items: center; border: 1px solid #c9ced6; background: #fff; border-radius: 16px;",
    "  padding: 4px 10px; color: #4a5058; }",
    ".fb-btn svg { width: 16px; height: 16px; fill: currentColor; }",
    ".fb-btn svg.flip { transform: rotate(180deg); }",
    ".fb-btn[aria-pressed=true] { color: #0b4f9c; }",
    ".fb-btn[aria-pressed=true] { background: #e8f0fa; border-color: #0b4f9c; }",
    ".comment { display: flex; gap: 6px; width: 100%; }",
    ".comment input { flex: 1; min-width: 0; border: 1px solid #c9ced6; border-radius: 8px; padding: 4px 8px; background: #fff; }",
    ".small-btn { border: 0; border-radius: 8px; padding: 4px 10px; background: #0b4f9c; color: #fff; font-size: 13px; }",
    ".suggest { align-self: stretch; }",
    ".suggest p { margin: 4px 0 6px; font-size: 13px; color: #4a5058; }",
    ".suggest button { display: block; width: 100%; margin: 0 0 6px; padding: 8px 12px; text-align: left;",
    "  border: 1px solid #b8cbe4; border-radius: 10px; background: #fff; color: #0b4f9c; font-size: 14px; }",
    ".suggest button:hover { background: #e8f0fa; }",
    ".composer { display: flex; gap: 8px; align-items: flex-end; padding: 10px 12px; border-top: 1px solid #e1e4e8; background: #fff; }",
    ".composer textarea { flex: 1; min-width: 0; resize: none; max-height: 120px; border: 1px solid #c9ced6;",
    "  border-radius: 10px; padding: 8px 10px; background: #fff; line-height: 1.4; }",
    ".send { height: 38px; min-width: 64px; border: 0; border-radius: 10px; padding: 0 14px; background: #0b4f9c;",
    "  color: #fff; font-weight: 600; }",
    ".send.stop { background: #8a1c12; }",
    ".send:disabled { opacity: .6; cursor: default; }",
    ".counter { font-size: 12px; color: #8a1c12; padding: 0 12px; background: #fff; text-align: right; }",
    ".foot { margin: 0; padding: 0 12px 8px; font-size: 11.5px; color: #5f6670; background: #fff; }",
    "@media (max-width: 480px) {",
    "  .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; }",
    "  .root.open .launcher { display: none; }",
    "  .composer textarea { font-size: 16px; }", // below 16px iOS zooms the page on focus
    "}",
    "@media (prefers-reduced-motion: no-preference) { .panel { animation: pop .16s ease-out; } }",
    "@keyframes pop { from { opacity: 0; transform: translateY(8px); } to { opacity: 1; transform: none; } }"
  ].join("\n");

  // --- small DOM helpers: attributes via setAttribute, children as text nodes -------------
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (attrs[k] === null || attrs[k] === undefined || attrs[k] === false) continue;
      if (k === "className") el.className = attrs[k];
      else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), attrs[k]);
      else el.setAttribute(k, attrs[k] === true ? "" : String(attrs[k]));
    }
    append(el, children);
    return el;
  }
  function append(el, children) {
    if (children === null || children === undefined) return;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
  }
  function shorten(text, max) {
    text = String(text).replace(/\s+/g, " ").trim();
    return text.length > max ? text.slice(0, max - 1).replace(/\s+\S*$/, "") + "…" : text;
  }
  function uid() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
      : Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  var ICONS = {
    chat: "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z",
    // Drawn, not emoji: many machines (and kiosks) have no colour emoji font.
    thumb: "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z"
  };
  function icon(name, cls) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    if (cls) svg.setAttribute("class", cls);
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  // --- state -------------------------------------------------------------------------------
  var SESSION_KEY = "aseanbot:session:" + BASE;
  var state = { sessionId: null, busy: false, controller: null, maxChars: 1000, suggestionsLoaded: false, started: false };
  try { state.sessionId = window.sessionStorage.getItem(SESSION_KEY); } catch (e) { /* storage blocked */ }

  // --- build ---------------------------------------------------------------------------------
  var host = document.createElement("aseanbot-chat");
  var shadow = host.attachShadow({ mode: "open" });
  try {
    // A constructed sheet is not blocked by a portal CSP that forbids inline <style>.
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    shadow.adoptedStyleSheets = [sheet];
  } catch (e) {
    var style = document.createElement("style");
    style.textContent = CSS;
    shadow.appendChild(style);
  }

  var ids = { panel: "ab-panel", title: "ab-title", input: "ab-input" };
  var launcher = h("button", { type: "button", className: "launcher", "aria-label": T.open,
    "aria-haspopup": "dialog", "aria-expanded": "false", "aria-controls": ids.panel, title: TITLE }, icon("chat"));
  var closeBtn = h("button", { type: "button", className: "icon-btn close", "aria-label": T.close, title: T.close }, "×");
  var messages = h("div", { className: "messages", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": TITLE });
  var suggestBox = h("div", { className: "suggest", role: "group", "aria-label": T.suggestionsLabel, hidden: true });
  var input = h("textarea", { id: ids.input, rows: "1", placeholder: T.placeholder, autocomplete: "off",
    "aria-label": T.inputLabel, enterkeyhint: "send" });
  var sendBtn = h("button", { type: "submit", className: "send", "aria-label": T.send }, "Gửi");
  var counter = h("div", { className: "counter", hidden: true });
  var form = h("form", { className: "composer", novalidate: true }, [input, sendBtn]);
  var panel = h("div", { id: ids.panel, className: "panel", role: "dialog", "aria-modal": "false",
    "aria-labelledby": ids.title, hidden: true }, [
    h("div", { className: "head" }, [h("h2", { id: ids.title }, TITLE), closeBtn]),
    messages, counter, form, h("p", { className: "foot" }, T.disclaimer)
  ]);
  var root = h("div", { className: "root" }, [launcher, panel]);
  shadow.appendChild(root);

  append(messages, [h("div", { className: "msg bot greeting" }, T.greeting), suggestBox]);

  function mount() { (document.body || document.documentElement).appendChild(host); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);

  // --- open / close ----------------------------------------------------------------------------
  function isOpen() { return !panel.hidden; }
  function openPanel() {
    panel.hidden = false;
    root.classList.add("open");
    launcher.setAttribute("aria-expanded", "true");
    loadSuggestions();
    input.focus();
    scrollToEnd(true);
  }
  function closePanel() {
    panel.hidden = true;
    root.classList.remove("open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }
  launcher.addEventListener("click", function () { if (isOpen()) closePanel(); else openPanel(); });
  closeBtn.addEventListener("click", closePanel);
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape" || e.key === "Esc") { e.preventDefault(); e.stopPropagation(); closePanel(); }
  });

  function nearBottom() { return messages.scrollHeight - messages.scrollTop - messages.clientHeight < 80; }
  function scrollToEnd(force) { if (force || nearBottom()) messages.scrollTop = messages.scrollHeight; }

  // --- suggestions -------------------------------------------------------------------------------
  function loadSuggestions() {
    if (state.suggestionsLoaded) return;
    state.suggestionsLoaded = true;
    fetch(BASE + "/api/suggestions", { credentials: "omit", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (data.max_message_chars > 0) {
          state.maxChars = data.max_message_chars;
          input.setAttribute("maxlength", String(state.maxChars));
        }
        var list = (data.suggestions || []).filter(function (q) { return typeof q === "string" && q; }).slice(0, 4);
        if (!list.length || state.started) return;
        suggestBox.replaceChildren(h("p", null, T.suggestionsTitle));
        list.forEach(function (q) {
          append(suggestBox, h("button", { type: "button", onclick: function () { ask(q); } }, q));
        });
        suggestBox.hidden = false;
        scrollToEnd(true);
      })
      .catch(function () { state.suggestionsLoaded = false; }); // try again on the next open
  }

  // --- composer ----------------------------------------------------------------------------------
  function autoGrow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
    var len = input.value.length;
    counter.hidden = len < state.maxChars * 0.8;
    counter.textContent = len + "/" + state.maxChars;
  }
  input.addEventListener("input", autoGrow);
  input.addEventListener("keydown", function (e) {
    // isComposing: Enter that confirms a Vietnamese IME syllable must not send the question.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      if (!state.busy) ask(input.value);
    }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (state.busy) { if (state.controller) state.controller.abort(); return; }
    ask(input.value);
  });
  function setBusy(busy) {
    state.busy = busy;
    sendBtn.classList.toggle("stop", busy);
    sendBtn.textContent = busy ? "Dừng" : "Gửi";
    sendBtn.setAttribute("aria-label", busy ? T.stop : T.send);
  }

  // --- messages ----------------------------------------------------------------------------------
  function addError(text) {
    var el = h("div", { className: "msg error", role: "alert" }, text);
    messages.appendChild(el);
    scrollToEnd(true);
    return el;
  }

  function sourceUrl(c) {
    var id = encodeURIComponent(c.doc_id || "");
    if (/\.pdf$/i.test(c.source || "")) {
      return BASE + "/api/documents/" + id + "/file" + (c.page ? "#page=" + encodeURIComponent(c.page) : "");
    }
    var q = (typeof c.char_start === "number" && typeof c.char_end === "number")
      ? "?start=" + c.char_start + "&end=" + c.char_end + "#hl" : "";
    return BASE + "/view/" + id + q;
  }

  function Message(question) {
    this.id = uid();
    this.question = question;
    this.answer = "";
    this.citations = [];
    this.grounded = null;
    this.related = [];
    this.openN = null;
    // What the question was understood as ("Đơn vị phối hợp — Kế hoạch 159/KH-UBND, mục 1.3"), in small
    // text above the answer: a follow-up read the wrong way is seen before the answer is trusted.
    this.understoodEl = h("p", { className: "understood", hidden: true });
    this.answerEl = h("div", { className: "answer" }, h("span", { className: "thinking" }, T.thinking));
    this.cardEl = h("div", { className: "card", role: "region", hidden: true });
    this.extraEl = h("div");
    this.el = h("div", { className: "msg bot", "aria-busy": "true" },
      [h("span", { className: "sr-only" }, T.bot + ": "), this.understoodEl, this.answerEl, this.cardEl, this.extraEl]);
    this.renderTimer = null;
  }
  Message.prototype.scheduleRender = function () {
    var self = this;
    if (this.renderTimer) return;
    this.renderTimer = setTimeout(function () { self.renderTimer = null; self.renderAnswer(true); }, 40);
  };
  Message.prototype.renderAnswer = function (streaming) {
    var self = this, text = this.answer, nodes = [];
    if (streaming) text = text.replace(/\[[\d,;\s]*$/, ""); // wait for a marker's closing bracket
    var re = /\[(\d+(?:\s*[,;]\s*\d+)*)\]/g, last = 0, m;
    while ((m = re.exec(text))) {
      nodes.push(document.createTextNode(text.slice(last, m.index)));
      var nums = m[1].split(/\s*[,;]\s*/), ok = nums.every(function (n) { return self.citations[n - 1]; });
      if (ok) nums.forEach(function (n) { nodes.push(self.citeButton(Number(n))); });
      else nodes.push(document.createTextNode(m[0]));
      last = re.lastIndex;
    }
    nodes.push(document.createTextNode(text.slice(last)));
    this.answerEl.replaceChildren.apply(this.answerEl, nodes);
    this.syncPressed();
    scrollToEnd(false);
  };
  Message.prototype.citeButton = function (n) {
    var self = this, c = this.citations[n - 1];
    return h("button", { type: "button", className: "cite", "data-n": n, "aria-expanded": "false",
      "aria-label": T.citeLabel(n, c.title || ""), onclick: function () { self.toggleCard(n); } }, String(n));
  };
  Message.prototype.syncPressed = function () {
    var open = this.openN;
    this.el.querySelectorAll("[data-n]").forEach(function (b) {
      b.setAttribute("aria-expanded", String(Number(b.getAttribute("data-n")) === open));
    });
  };
  Message.prototype.toggleCard = function (n) {
    var self = this;
    if (this.openN === n) { this.openN = null; this.cardEl.hidden = true; this.syncPressed(); return; }
    var c = this.citations[n - 1];
    if (!c) return;
    this.openN = n;
    var meta = [];
    if (c.number) meta.push(T.number + ": " + c.number);
    if (c.section) meta.push(T.section + ": " + c.section);
    if (c.page) meta.push(T.page + " " + c.page);
    var closeCard = h("button", { type: "button", className: "icon-btn", "aria-label": T.closeCite,
      onclick: function () { self.toggleCard(n); } }, "×");
    this.cardEl.setAttribute("aria-label", "Trích dẫn " + n);
    this.cardEl.replaceChildren(
      h("div", { className: "card-head" }, [h("p", { className: "card-title", title: c.title || "" }, "[" + n + "] " + shorten(c.title || c.source || "", 140)), closeCard]),
      meta.length ? h("p", { className: "meta" }, meta.join(" · ")) : null,
      h("blockquote", { className: "quote" }, "“" + String(c.quote || "").trim() + "”"),
      h("a", { className: "link", href: sourceUrl(c), target: "_blank", rel: "noopener noreferrer",
        "aria-label": T.viewSource + ": " + (c.title || "") + T.newTab }, T.viewSource)
    );
    this.cardEl.hidden = false;
    this.syncPressed();
    if (this.cardEl.scrollIntoView) this.cardEl.scrollIntoView({ block: "nearest" });
  };
  Message.prototype.finish = function () {
    var self = this;
    if (this.renderTimer) { clearTimeout(this.renderTimer); this.renderTimer = null; }
    this.renderAnswer(false);
    if (this.citations.length && this.grounded !== false) {
      // One line per document, with a button per passage cited from it.
      var groups = [], byDoc = {};
      this.citations.forEach(function (c, i) {
        var key = c.doc_id || c.source || String(i);
        if (!byDoc[key]) { byDoc[key] = { c: c, ns: [] }; groups.push(byDoc[key]); }
        byDoc[key].ns.push(i + 1);
      });
      var items = groups.map(function (g) {
        var label = shorten(g.c.title || g.c.source || "", 90) + (g.c.number ? " (" + g.c.number + ")" : "");
        return h("li", null, g.ns.map(function (n) {
          return h("button", { type: "button", className: "cite", "data-n": n, "aria-expanded": "false",
            "aria-label": T.citeLabel(n, g.c.title || ""), onclick: function () { self.toggleCard(n); } }, String(n));
        }).concat([" " + label]));
      });
      append(this.extraEl, h("div", { className: "sources" }, [h("p", null, T.sources), h("ol", null, items)]));
    }
    if (this.grounded === false && this.related.length) {
      var rel = this.related.map(function (d) {
        return h("li", null, h("a", { className: "link", href: sourceUrl(d), target: "_blank", rel: "noopener noreferrer" },
          shorten(d.title || d.source || "", 120)));
      });
      append(this.extraEl, h("div", { className: "related" }, [h("p", null, T.related), h("ul", null, rel)]));
    }
    this.showUnderstood();
    if (this.answer) append(this.extraEl, this.feedbackRow());
    this.el.setAttribute("aria-busy", "false");
    this.syncPressed();
    scrollToEnd(false);
  };
  Message.prototype.showUnderstood = function () {
    var understood = typeof this.understood === "string" ? shorten(this.understood, 200) : "";
    if (!understood) return;
    this.understoodEl.textContent = T.understood + " " + understood;
    this.understoodEl.hidden = false;
  };
  Message.prototype.feedbackRow = function () {
    var self = this;
    var status = h("span", { className: "fb-status", role: "status" });
    var up = h("button", { type: "button", className: "fb-btn", "aria-pressed": "false", "aria-label": T.up, title: T.up }, icon("thumb"));
    var down = h("button", { type: "button", className: "fb-btn", "aria-pressed": "false", "aria-label": T.down, title: T.down }, icon("thumb", "flip"));
    var row = h("div", { className: "feedback" }, [h("span", null, T.helpful), up, down, status]);
    function send(rating, comment) {
      return fetch(BASE + "/api/feedback", {
        method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ session_id: state.sessionId, message_id: self.id, question: self.question,
          answer: self.answer, citations: self.citations, rating: rating, comment: comment || null })
      }).then(function (r) {
        status.textContent = r.ok ? T.thanks : (r.status === 429 ? T.tooMany : T.feedbackFailed);
        return r.ok;
      }, function () { status.textContent = T.feedbackFailed; return false; });
    }
    function rate(rating) {
      up.setAttribute("aria-pressed", String(rating === "up"));
      down.setAttribute("aria-pressed", String(rating === "down"));
      send(rating);
      var old = row.querySelector(".comment");
      if (old) old.remove();
      if (rating === "down") {
        var box = h("input", { type: "text", maxlength: "2000", "aria-label": T.commentLabel, placeholder: T.commentLabel });
        var form = h("form", { className: "comment" }, [box, h("button", { type: "submit", className: "small-btn" }, T.commentSend)]);
        form.addEventListener("submit", function (e) {
          e.preventDefault();
          if (!box.value.trim()) return;
          send("down", box.value.trim()).then(function (ok) { if (ok) form.remove(); });
        });
        row.appendChild(form);
        box.focus();
      }
    }
    up.addEventListener("click", function () { rate("up"); });
    down.addEventListener("click", function () { rate("down"); });
    return row;
  };

  // --- talking to the API ------------------------------------------------------------------------
  function errorMessage(status, body) {
    if (status === 429) return T.tooMany;
    if (status === 422 || status === 400 || status === 413) {
      return body && typeof body.detail === "string" ? body.detail : T.invalid;
    }
    return T.server;
  }

  // Server-Sent Events over fetch (EventSource cannot POST). Calls onEvent(name, data) per event.
  function readSSE(body, onEvent) {
    var reader = body.getReader(), decoder = new TextDecoder("utf-8"), buf = "";
    function dispatch(block) {
      var name = "message", data = [];
      block.split("\n").forEach(function (line) {
        if (!line || line.charAt(0) === ":") return;
        var i = line.indexOf(":"), field = i < 0 ? line : line.slice(0, i), value = i < 0 ? "" : line.slice(i + 1);
        if (value.charAt(0) === " ") value = value.slice(1);
        if (field === "event") name = value;
        else if (field === "data") data.push(value);
      });
      if (data.length) onEvent(name, data.join("\n"));
    }
    function drain() {
      // A "\r" at the very end may be half of a "\r\n" still in flight: keep it for the next read.
      var keep = buf.slice(-1) === "\r" ? "\r" : "";
      var text = (keep ? buf.slice(0, -1) : buf).replace(/\r\n?/g, "\n");
      var parts = text.split("\n\n");
      buf = parts.pop() + keep;
      parts.forEach(dispatch);
    }
    function pump() {
      return reader.read().then(function (r) {
        if (r.done) {
          buf += decoder.decode();
          buf = buf.replace(/\r\n?/g, "\n");
          if (buf.trim()) dispatch(buf);
          return;
        }
        buf += decoder.decode(r.value, { stream: true });
        drain();
        return pump();
      });
    }
    return pump();
  }

  function ask(raw) {
    var question = String(raw || "").trim();
    if (!question || state.busy) return;
    if (question.length > state.maxChars) { addError(T.tooLong(state.maxChars)); return; }
    state.started = true;
    suggestBox.hidden = true;
    input.value = "";
    autoGrow();
    messages.appendChild(h("div", { className: "msg user" }, [h("span", { className: "sr-only" }, T.you + ": "), question]));
    var msg = new Message(question);
    messages.appendChild(msg.el);
    scrollToEnd(true);
    setBusy(true);
    var controller = state.controller = (window.AbortController ? new AbortController() : null);
    var finished = false, failed = false;

    function fail(text) {
      failed = true;
      msg.el.remove();
      addError(text);
    }
    function remember(id) {
      if (!id) return;
      state.sessionId = id;
      try { window.sessionStorage.setItem(SESSION_KEY, id); } catch (e) { /* storage blocked */ }
    }
    // The answer's final fields, from a JSON reply or the stream's "done" event.
    function settle(data) {
      msg.grounded = data.grounded;
      msg.related = data.related || [];
      if (typeof data.understood === "string") msg.understood = data.understood;
      remember(data.session_id);
      finished = true;
      msg.finish();
    }

    fetch(BASE + "/api/chat", {
      method: "POST", credentials: "omit", signal: controller ? controller.signal : undefined,
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ message: question, session_id: state.sessionId })
    }).then(function (res) {
      if (!res.ok) {
        return res.json().catch(function () { return null; }).then(function (body) { fail(errorMessage(res.status, body)); });
      }
      var type = res.headers.get("content-type") || "";
      if (type.indexOf("text/event-stream") < 0 || !res.body || !window.TextDecoder) {
        // A proxy that buffers or a server that answered JSON: the same answer, just not streamed.
        return res.json().then(function (data) {
          msg.citations = data.citations || [];
          msg.answer = data.answer || "";
          settle(data);
        });
      }
      return readSSE(res.body, function (name, raw) {
        var data;
        try { data = JSON.parse(raw); } catch (e) { return; }
        if (name === "citations") {
          msg.citations = data.citations || [];
          if (typeof data.understood === "string") { msg.understood = data.understood; msg.showUnderstood(); }
          remember(data.session_id);
        } else if (name === "token") {
          msg.answer += data.text || "";
          msg.scheduleRender();
        } else if (name === "done") {
          settle(data);
        } else if (name === "error") {
          fail(typeof data.message === "string" && data.message ? data.message : T.server);
        }
      });
    }).catch(function (err) {
      if (err && err.name === "AbortError") {
        if (!finished) {
          if (!msg.answer) msg.answer = "";
          msg.finish();
          append(msg.extraEl, h("p", { className: "thinking" }, T.stopped));
        }
        finished = true;
        return;
      }
      if (!failed) fail(T.network);
    }).then(function () {
      if (!finished && !failed) {
        if (msg.answer) { msg.finish(); append(msg.extraEl, h("p", { className: "thinking" }, T.interrupted)); }
        else fail(T.interrupted);
      }
      state.controller = null;
      setBusy(false);
      if (isOpen()) input.focus();
    });
  }
})();
