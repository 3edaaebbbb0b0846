// The referral list, kept in this browser only (localStorage): no cookie, nothing sent to the
// server until the worker opens the sheet. Every page works without this file: the links it
// enhances lead to /referral?ids=... by themselves.
(function () {
  "use strict";
  var KEY = "referral-list";
  var MAX = 20;
  var ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

  function load() {
    try {
      var ids = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(ids) ? ids.filter(function (id) { return ID.test(id); }).slice(0, MAX) : [];
    } catch (error) {
      return [];  // storage blocked (private mode) or damaged: start empty
    }
  }

  function save(ids) {
    try {
      if (ids.length) { window.localStorage.setItem(KEY, JSON.stringify(ids)); }
      else { window.localStorage.removeItem(KEY); }
    } catch (error) { /* storage blocked: the links still work without it */ }
  }

  var header = document.querySelector("[data-referral-link]");
  var words = header ? header.dataset : {};

  function sheetUrl(ids) {
    var base = header ? header.dataset.referralBase : "/referral";
    // The base may already carry ?lang=, which the sheet must keep.
    var join = base.indexOf("?") === -1 ? "?" : "&";
    return ids.length ? base + join + "ids=" + ids.map(encodeURIComponent).join(",") : base;
  }

  function showCount(ids) {
    if (!header) { return; }
    header.href = sheetUrl(ids);
    header.querySelector("[data-referral-count]").textContent = ids.length ? " (" + ids.length + ")" : "";
  }

  function showToggle(link, ids) {
    var listed = ids.indexOf(link.dataset.referralAdd) !== -1;
    link.textContent = listed ? words.textAdded : words.textAdd;
    link.setAttribute("aria-pressed", listed ? "true" : "false");
    link.setAttribute("role", "button");
  }

  function idsOf(href) {
    var match = /[?&]ids=([^&#]*)/.exec(href);
    var raw = match ? decodeURIComponent(match[1].replace(/\+/g, " ")) : "";
    return raw.split(",").filter(function (id) { return ID.test(id); }).slice(0, MAX);
  }

  function same(a, b) { return a.join(",") === b.join(","); }

  // On the sheet itself: the worker's own list (or the first list opened, when none is kept)
  // becomes the list kept. Someone else's list, opened from a link or QR code, never replaces
  // it: the sheet says so and offers to add its services, one by one or all at once.
  var sheet = document.querySelector("[data-referral-ids]");
  if (sheet) {
    var shown = sheet.dataset.referralIds ? sheet.dataset.referralIds.split(",") : [];
    var kept = load();
    if (!kept.length || same(kept, shown)) {
      save(shown);
      // Moving and removing are this worker's own edits: keep the new list before going.
      Array.prototype.forEach.call(document.querySelectorAll("[data-referral-edit]"), function (link) {
        link.addEventListener("click", function () { save(idsOf(link.href)); });
      });
    } else {
      showShared(shown, kept);
    }
  }

  function showShared(shown, kept) {
    var notice = document.querySelector("[data-shared-notice]");
    if (!notice) { return; }
    notice.hidden = false;
    notice.querySelector("[data-own-count]").textContent = String(kept.length);
    notice.querySelector("[data-own-list]").href = sheetUrl(kept);
    notice.querySelector("[data-add-all]").addEventListener("click", function () {
      var merged = load();
      shown.forEach(function (id) { if (merged.indexOf(id) === -1 && merged.length < MAX) { merged.push(id); } });
      save(merged);
      window.location.href = sheetUrl(merged);
    });
    notice.querySelector("[data-replace]").addEventListener("click", function () {
      save(shown);
      window.location.reload();
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-shared-add]"), function (item) {
      item.hidden = false;
    });
  }

  var ids = load();
  showCount(ids);
  var toggles = document.querySelectorAll("[data-referral-add]");
  Array.prototype.forEach.call(toggles, function (link) {
    showToggle(link, ids);
    link.addEventListener("click", function (event) {
      var current = load();
      var id = link.dataset.referralAdd;
      var at = current.indexOf(id);
      if (at !== -1) { current.splice(at, 1); }
      else if (current.length >= MAX) { window.alert(words.textFull); event.preventDefault(); return; }
      else { current.push(id); }
      event.preventDefault();
      save(current);
      showCount(current);
      Array.prototype.forEach.call(toggles, function (other) { showToggle(other, current); });
    });
    link.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); link.click(); }  // it acts as a button
    });
  });

  // "Keep my list on this device": an outreach worker's own phone keeps the list through
  // Quick exit (quick-exit.js clears it otherwise). Shown only where storage works.
  var keep = document.querySelector("[data-referral-keep]");
  if (keep) {
    try {
      keep.checked = window.localStorage.getItem("referral-keep") === "1";
      keep.closest("[data-keep-choice]").hidden = false;
      keep.addEventListener("change", function () {
        if (keep.checked) { window.localStorage.setItem("referral-keep", "1"); }
        else { window.localStorage.removeItem("referral-keep"); }
      });
    } catch (error) { /* storage blocked: there is no list to keep */ }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  var copy = document.querySelector("[data-copy-link]");
  var field = document.querySelector("[data-share-url]");
  var status = document.querySelector("[data-copy-status]");
  if (copy && field) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      function done(ok) { if (status) { status.textContent = ok ? status.dataset.copied : status.dataset.copyFailed; } }
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () { done(true); }, function () { done(false); });
      } else {
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (error) { ok = false; }
        done(ok);
      }
    });
  }
})();
