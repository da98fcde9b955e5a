// elektromail web inbox: keyboard, live updates, theme, title and favicon badge. No inline script is
// allowed by the pages' CSP; everything the pages do beyond links and forms is here or in htmx.
(function () {
  "use strict";
  var body = document.body;
  var root = document.documentElement;
  var THEME_KEY = "elektromail-theme";

  // ---------------------------------------------------------------- theme
  function applyTheme(theme) {
    if (theme === "light" || theme === "dark") {
      root.setAttribute("data-theme", theme);
    } else {
      root.removeAttribute("data-theme");
    }
  }
  try { applyTheme(localStorage.getItem(THEME_KEY)); } catch (e) { /* storage may be off */ }
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-theme-toggle]");
    if (toggle) {
      var dark = root.getAttribute("data-theme") === "dark" ||
        (!root.getAttribute("data-theme") && window.matchMedia("(prefers-color-scheme: dark)").matches);
      var next = dark ? "light" : "dark";
      applyTheme(next);
      try { localStorage.setItem(THEME_KEY, next); } catch (e) { /* ignore */ }
      return;
    }
    if (event.target.closest("[data-help]")) {
      showHelp();
      return;
    }
    var confirmer = event.target.closest("[data-confirm]");
    if (confirmer && !window.confirm(confirmer.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    var row = event.target.closest("tr[data-row]");
    if (row && !event.target.closest("a, button, input")) {
      window.location.assign(row.getAttribute("data-href"));
    }
  });

  function showHelp() {
    var dialog = document.getElementById("help");
    if (dialog && !dialog.open) { dialog.showModal(); }
  }

  // ---------------------------------------------------------------- title and favicon badge
  var baseTitle = body.getAttribute("data-title") || document.title;
  var plainIcon = null;
  function showUnread(count) {
    document.title = (count > 0 ? "(" + count + ") " : "") + baseTitle;
    var link = document.querySelector("link[rel=icon]");
    if (!link) { return; }
    if (plainIcon === null) { plainIcon = link.href; }
    if (count <= 0) { link.href = plainIcon; return; }
    var canvas = document.createElement("canvas");
    canvas.width = canvas.height = 32;
    var context = canvas.getContext("2d");
    if (!context) { return; }
    var image = new Image();
    image.onload = function () {
      context.drawImage(image, 0, 0, 32, 32);
      context.fillStyle = "#d93025";
      context.beginPath();
      context.arc(22, 10, 10, 0, 2 * Math.PI);
      context.fill();
      context.fillStyle = "#fff";
      context.font = "bold 14px sans-serif";
      context.textAlign = "center";
      context.textBaseline = "middle";
      context.fillText(count > 99 ? "99" : String(count), 22, 11);
      link.href = canvas.toDataURL("image/png");
    };
    image.src = plainIcon;
  }
  function readUnread() {
    var counter = document.querySelector("[data-unread-total]");
    if (counter) { showUnread(parseInt(counter.textContent, 10) || 0); }
  }
  readUnread();

  // ---------------------------------------------------------------- list selection
  var selectedId = null;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr[data-row]")); }
  // The selected row, also while a live refresh has just replaced the rows and not marked it again yet.
  function selectedRow() {
    var row = document.querySelector("tr[data-row].selected");
    if (!row && selectedId) { row = document.querySelector('tr[data-id="' + CSS.escape(selectedId) + '"]'); }
    return row;
  }
  function select(row) {
    rows().forEach(function (each) { each.classList.remove("selected"); each.removeAttribute("aria-selected"); });
    if (!row) { return; }
    row.classList.add("selected");
    row.setAttribute("aria-selected", "true");
    selectedId = row.getAttribute("data-id");
    row.scrollIntoView({ block: "nearest" });
    var link = row.querySelector("a");
    if (link) { link.focus({ preventScroll: true }); }
  }
  function move(step) {
    var all = rows();
    if (!all.length) { return false; }
    var current = selectedRow();
    var at = all.indexOf(current);
    var next = at < 0 ? 0 : Math.min(Math.max(at + step, 0), all.length - 1);
    if (at === all.length - 1 && step > 0) {
      var older = document.querySelector("[data-older]");
      if (older) { window.location.assign(older.getAttribute("href")); return true; }
    }
    select(all[next]);
    return true;
  }
  document.addEventListener("htmx:afterSwap", function () {
    if (selectedId) {
      var again = document.querySelector('tr[data-id="' + CSS.escape(selectedId) + '"]');
      if (again) { again.classList.add("selected"); again.setAttribute("aria-selected", "true"); }
    }
    readUnread();
  });

  // ---------------------------------------------------------------- keyboard
  function follow(selector) {
    var link = document.querySelector(selector);
    if (link) { window.location.assign(link.getAttribute("href")); }
  }
  function press(key) {
    var button = document.querySelector('button[data-key="' + key + '"]');
    if (button) { button.click(); return; }
    // In the list: act on the selected row, then show the same list again.
    var row = selectedRow();
    var list = document.getElementById("list");
    if (!row || !list || !window.htmx) { return; }
    var action = key === "r" ? (row.classList.contains("unread") ? "read" : "unread")
      : key === "s" ? (row.classList.contains("flagged") ? "unflag" : "flag") : "delete";
    var view = list.getAttribute("data-view");
    window.htmx.ajax("POST", "/m/" + encodeURIComponent(row.getAttribute("data-id")) + "/act", {
      source: row, target: "#list", select: "#list", swap: "outerHTML",
      values: { action: action, next: view, list: view }
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) {
      if (event.key === "Escape") { target.blur(); }
      return;
    }
    var onMessage = document.querySelector("[data-message]") !== null;
    switch (event.key) {
      case "j":
        if (onMessage) { follow("[data-older]"); } else { move(1); }
        break;
      case "k":
        if (onMessage) { follow("[data-newer]"); } else { move(-1); }
        break;
      case "Enter":
        var chosen = selectedRow();
        if (!chosen || target.tagName === "A" && !target.closest("tr[data-row]")) { return; }
        window.location.assign(chosen.getAttribute("data-href"));
        break;
      case "/":
        var search = document.getElementById("q");
        if (search) { search.focus(); search.select(); }
        break;
      case "u":
        follow("[data-up]");
        break;
      case "r":
      case "s":
      case "#":
        press(event.key);
        break;
      case "?":
        showHelp();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // ---------------------------------------------------------------- header filter
  document.addEventListener("input", function (event) {
    var input = event.target;
    var selector = input.getAttribute && input.getAttribute("data-filter");
    if (!selector) { return; }
    var needle = input.value.toLowerCase();
    document.querySelectorAll(selector + " tbody tr").forEach(function (row) {
      row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) < 0;
    });
  });

  // ---------------------------------------------------------------- live updates
  // A list reloads itself (and the counts beside it) on any change of mail; a message page reloads its
  // article when its own message changes (flags set by an IMAP client, say). Bursts become one reload.
  var liveUrl = body.getAttribute("data-live");
  var list = document.getElementById("list");
  var article = document.querySelector("[data-message]");
  if (liveUrl && window.EventSource && (list || article)) {
    var pending = null;
    var later = function (what) {
      if (pending !== null) { return; }
      pending = window.setTimeout(function () { pending = null; what(); }, 100);
    };
    var refreshList = function () { body.dispatchEvent(new CustomEvent("mail-changed")); };
    var refreshMessage = function () {
      if (!window.htmx) { return; }
      window.htmx.ajax("GET", window.location.pathname + window.location.search,
        { source: "[data-message]", target: "[data-message]", select: "[data-message]", swap: "outerHTML" });
    };
    // A change that arrives while the list is being fetched may not be in that answer, and the refresh it
    // queues on the old list element is dropped when the answer replaces it: count changes, and fetch
    // again after any list answer that started before the last change.
    var changes = 0;
    var changesAtRequest = 0;
    document.addEventListener("htmx:beforeRequest", function (event) {
      var target = event.detail && event.detail.target;
      if (target && target.id === "list") { changesAtRequest = changes; }
    });
    document.addEventListener("htmx:afterSettle", function (event) {
      var target = event.detail && event.detail.target;
      if (list && target && target.id === "list" && changes > changesAtRequest) { later(refreshList); }
    });
    var onEvent = function (event) {
      if (list) { changes += 1; later(refreshList); return; }
      var id = article.getAttribute("data-message");
      var data = {};
      try { data = JSON.parse(event.data || "{}"); } catch (e) { data = {}; }
      if (data.message_id === id || event.type === "reset" || event.type === "resync") { later(refreshMessage); }
    };
    var source = new EventSource(liveUrl);
    ["message.stored", "message.flags", "message.expunged", "mailbox.created", "mailbox.deleted",
      "mailbox.renamed", "user.created", "user.deleted", "reset", "resync"].forEach(function (name) {
      source.addEventListener(name, onEvent);
    });
    body.setAttribute("data-live-state", "connecting");
    source.addEventListener("open", function () { body.setAttribute("data-live-state", "open"); });
  }
})();
