// The pages' own script (no inline scripts: the content-security policy forbids them).
// htmx sends Django's CSRF token with every request it makes.
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
});
