/* Quick exit: leave this site at once for a neutral page.
   Without JavaScript the link in every page's corner still works. With it, the page is
   hidden and *replaced* (location.replace), so Back does not bring it back, and pressing
   Esc twice within a second leaves from anywhere on the page. It also clears what this site
   kept in the browser (the referral list), so the next visit shows nothing, unless an
   outreach worker chose "Keep my list on this device" on the referral page. */
(function () {
  "use strict";
  var link = document.querySelector("[data-quick-exit]");
  if (!link) {
    return;
  }
  var KEEP = "referral-keep";  // set by referral.js when the worker chose to keep the list

  function forget() {
    try {
      if (window.localStorage.getItem(KEEP) !== "1") {
        window.localStorage.clear();  // only this site's storage: the list and its count
      }
      window.sessionStorage.clear();
    } catch (error) { /* storage blocked: nothing was kept */ }
  }

  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.documentElement.className += " leaving";
    forget();
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") {
      return;
    }
    var now = Date.now();
    if (now - lastEscape < 1000) {
      leave(event);
    } else {
      lastEscape = now;
    }
  });
})();
