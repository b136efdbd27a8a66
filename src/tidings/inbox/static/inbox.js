// tidings inbox: live updates over Server-Sent Events, and keyboard shortcuts. No build step.
(function () {
  "use strict";

  function listUrl() {
    var header = document.querySelector("#list-header .list-header");
    return header ? header.dataset.listUrl : "/inbox?state=open";
  }

  function withParam(url, name, value) {
    return url + (url.indexOf("?") >= 0 ? "&" : "?") + name + "=" + encodeURIComponent(value);
  }

  // Live: the workspace's conversation changes arrive on /inbox/events; refresh what they touch.
  var changed = new Set();
  var timer = null;

  function refresh() {
    timer = null;
    var ids = Array.from(changed);
    changed.clear();
    if (document.querySelector("#list")) {
      htmx.ajax("GET", withParam(listUrl(), "rows", "1"), { target: "#list", swap: "innerHTML" });
      htmx.ajax("GET", "/inbox/sidebar?" + listUrl().split("?")[1], { target: "#sidebar", swap: "innerHTML" });
    }
    var open = document.querySelector("#conversation");
    if (open && ids.indexOf(open.dataset.conversationId) >= 0) {
      htmx.ajax("GET", "/inbox/conversations/" + open.dataset.conversationId + "/thread", { target: "#thread", swap: "innerHTML" });
    }
  }

  function listen() {
    if (!document.body.dataset.live || !window.EventSource) return;
    var source = new EventSource("/inbox/events");
    source.onmessage = function (event) {
      var data = JSON.parse(event.data);
      changed.add(String(data.conversation_id));
      if (!timer) timer = setTimeout(refresh, 120);
    };
    source.onopen = function () { document.body.dataset.liveConnected = "1"; };
  }

  // The open conversation's row is marked as the selected one, and read.
  document.addEventListener("htmx:afterSettle", function () {
    var open = document.querySelector("#conversation");
    document.querySelectorAll(".row").forEach(function (row) {
      var isOpen = open && row.dataset.conversationId === open.dataset.conversationId;
      row.classList.toggle("selected", !!isOpen);
      if (isOpen) row.classList.remove("unread");
    });
    var thread = document.querySelector("#thread");
    if (thread) thread.scrollTop = thread.scrollHeight;
  });

  // A successful send clears the flash of an earlier error.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status < 400) { var flash = document.querySelector("#flash"); if (flash) flash.innerHTML = ""; }
  });

  function composer(mode) {
    var form = document.querySelector("#composer");
    if (!form) return;
    form.dataset.mode = mode;
    var box = form.querySelector("textarea");
    box.placeholder = mode === "note" ? "Write an internal note… (Ctrl+Enter adds it)" : "Write a reply… (Ctrl+Enter sends)";
    box.focus();
  }

  function move(step) {
    var rows = Array.from(document.querySelectorAll(".row"));
    if (!rows.length) return;
    var index = rows.findIndex(function (row) { return row.classList.contains("selected"); });
    var next = rows[Math.max(0, Math.min(rows.length - 1, index + step))];
    if (next) next.click();
  }

  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
    if (typing) {
      if (event.target.id === "composer-body" && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        var mode = document.querySelector("#composer").dataset.mode;
        document.querySelector(mode === "note" ? "#send-note" : "#send-reply").click();
      } else if (event.key === "Escape") {
        event.target.blur();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "r") { event.preventDefault(); composer("reply"); }
    else if (event.key === "n") { event.preventDefault(); composer("note"); }
    else if (event.key === "c") { var close = document.querySelector("#action-close"); if (close) { event.preventDefault(); close.click(); } }
    else if (event.key === "j") { move(1); }
    else if (event.key === "k") { move(-1); }
  });

  document.addEventListener("DOMContentLoaded", listen);
})();
