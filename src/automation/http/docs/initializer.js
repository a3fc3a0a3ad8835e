// Swagger UI on this server's own document. validatorUrl: null keeps the UI from sending the
// document to an outside validator: every request of the page goes to this server.
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
};
