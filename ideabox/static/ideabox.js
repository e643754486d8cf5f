// ideabox: the little JavaScript the pages use. Everything works without it.
// htmx sends the CSRF token (a cookie readable by scripts on this site only) as a
// header with every request it makes, so its posts pass the same check as forms.
(function () {
  "use strict";
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)ideabox_csrf=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });
})();

// Sharing an idea (templates/sharing/links.html). Without JavaScript the link is a plain
// link and a read-only field to copy from; here the buttons appear where the browser can
// do what they say: copy to the clipboard, and open the device's own share menu.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var copyButtons = document.querySelectorAll("[data-copy-link]");
    Array.prototype.forEach.call(copyButtons, function (button) {
      var field = document.getElementById(button.getAttribute("data-copy-link"));
      var status = document.querySelector("[data-copy-status]");
      if (!field || !navigator.clipboard || !window.isSecureContext) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          if (status) { status.textContent = status.getAttribute("data-copied"); }
        }, function () {
          field.focus();
          field.select();
          if (status) { status.textContent = status.getAttribute("data-failed"); }
        });
      });
    });
    var shareButtons = document.querySelectorAll("[data-native-share]");
    Array.prototype.forEach.call(shareButtons, function (button) {
      if (!navigator.share) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.share({
          title: button.getAttribute("data-share-title"),
          text: button.getAttribute("data-share-text"),
          url: button.getAttribute("data-share-url")
        }).catch(function () { /* the reader closed the menu: nothing to do */ });
      });
    });
    // Selecting the whole address when the field is focused makes copying one keystroke.
    Array.prototype.forEach.call(document.querySelectorAll("[data-share-link]"), function (field) {
      field.addEventListener("focus", function () { field.select(); });
    });
  });
})();
