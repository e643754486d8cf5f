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
