/* "Use my location": progressive enhancement for every near field (input[data-near]).
 * Without JavaScript, or without permission, the field still takes a neighbourhood or a
 * ZIP code. The position is rounded to 3 decimals (about 100 m) before it is put into the
 * form, so nothing more precise ever reaches the server; it is not stored anywhere. */
(function () {
  "use strict";
  if (!("geolocation" in navigator) || !document.querySelectorAll) {
    return;
  }
  var fields = document.querySelectorAll("input[data-near]");
  Array.prototype.forEach.call(fields, function (input) {
    var button = document.createElement("button");
    var status = document.createElement("span");
    button.type = "button";
    button.className = "use-location";
    button.textContent = input.getAttribute("data-locate-label");
    status.className = "locate-status";
    status.setAttribute("role", "status");
    input.parentNode.insertBefore(button, input.nextSibling);
    button.parentNode.insertBefore(status, button.nextSibling);
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = input.getAttribute("data-locating-label");
      navigator.geolocation.getCurrentPosition(function (position) {
        var lat = position.coords.latitude.toFixed(3);
        var lon = position.coords.longitude.toFixed(3);
        input.value = lat + "," + lon;
        status.textContent = "";
        if (input.form.requestSubmit) {
          input.form.requestSubmit();
        } else {
          input.form.submit();
        }
      }, function () {
        button.disabled = false;
        status.textContent = input.getAttribute("data-denied-label");
        input.focus();
      }, {enableHighAccuracy: false, maximumAge: 600000, timeout: 15000});
    });
  });
})();
