// The API documentation at /schema: Swagger UI, started here rather than by an inline
// script, under the site's Content-Security-Policy. "Try it out" with a browser session
// sends the CSRF token as every unsafe request of the site does.
(function () {
  "use strict";
  var root = document.getElementById("swagger");

  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (pair) {
      return pair.indexOf(name + "=") === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : undefined;
  }

  window.ui = window.SwaggerUIBundle({
    url: root.dataset.spec,
    dom_id: "#swagger",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: function (request) {
      var token = cookie("ideabox_csrf");
      if (token !== undefined) {
        request.headers["X-CSRFToken"] = token;
      }
      return request;
    }
  });
})();
