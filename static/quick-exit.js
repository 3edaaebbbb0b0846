/* Quick exit: leave this site at once for a neutral page.
   Without JavaScript the link in every page's corner still works. With it, the page is
   hidden and *replaced* (location.replace), so Back does not bring it back, and pressing
   Esc twice within a second leaves from anywhere on the page. */
(function () {
  "use strict";
  var link = document.querySelector("[data-quick-exit]");
  if (!link) {
    return;
  }
  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.documentElement.className += " leaving";
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
