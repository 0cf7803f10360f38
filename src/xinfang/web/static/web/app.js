// The pages' own script (no inline scripts: the content-security policy forbids them).
// htmx sends Django's CSRF token with every request it makes.
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
});

// A form being submitted sends no more live checks (the closure form's list of what is still
// missing): a check triggered as the last field loses focus waits a moment (hx-trigger
// "change delay") and is dropped here once the submission has started, so it never reaches
// the server after the submission has moved the case on.
document.addEventListener("submit", function (event) {
  event.target.dataset.submitting = "1";
});
document.addEventListener("htmx:confirm", function (event) {
  var form = event.target.closest ? event.target.closest("form") : null;
  if (form && form.dataset.submitting) { event.preventDefault(); }
});
