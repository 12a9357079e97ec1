// Start Swagger UI on the service's own OpenAPI document.  A file, not an inline script,
// so that the docs' Content-Security-Policy allows scripts from the service alone.
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  window.ui = SwaggerUIBundle({
    url: container.dataset.specUrl,
    dom_id: "#swagger-ui-container",
    validatorUrl: null,
  });
});
