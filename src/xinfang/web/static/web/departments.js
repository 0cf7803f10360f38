// A department picked by a typed search (web/widgets.py: DepartmentSearchInput), wherever a
// form has one: the registration's 转来部门, the case page's 转其他部门 and an objection's
// suggested department. At most 20 matches come from the server while typing; the hidden
// input holds the id picked and the server checks it again.
// Keyboard: type, ↓ into the matches, ↑/↓ between them, Enter picks, Esc back to typing;
// Enter in the search box never submits the form.
// No inline scripts: the content-security policy forbids them.
(function () {
  "use strict";

  function setUp(picker) {
    var form = picker.closest("form");
    var search = picker.querySelector("[data-department-search]");
    var hidden = picker.querySelector("[data-department-value]");
    var results = picker.querySelector("[data-department-results]");
    var sourceName = picker.dataset.sourceField;
    var timer = null;

    function source() {
      var field = sourceName && form ? form.elements[sourceName] : null;
      return field ? field.value || "" : "";
    }
    function find() {
      search.setAttribute("aria-expanded", "true");
      var values = { q: search.value.trim() };
      if (sourceName) { values.source = source(); }
      // Its own source: htmx queues one request per source, and the page's default is shared.
      htmx.ajax("GET", picker.dataset.url, { source: results, target: results, swap: "innerHTML", values: values });
    }
    function options() {
      return Array.prototype.slice.call(results.querySelectorAll("[data-pick-department]"));
    }
    function close() {
      results.innerHTML = "";
      search.setAttribute("aria-expanded", "false");
    }
    // The field after the picker, to move on to once a department is picked.
    function next() {
      if (!form) { return null; }
      var fields = form.querySelectorAll("input:not([type=hidden]), select, textarea, button");
      for (var i = 0; i < fields.length; i += 1) {
        var field = fields[i];
        if (picker.contains(field) || field.disabled || field.offsetParent === null) { continue; }
        if (picker.compareDocumentPosition(field) & Node.DOCUMENT_POSITION_FOLLOWING) { return field; }
      }
      return null;
    }

    search.addEventListener("input", function () {
      hidden.value = "";  // typing again: the department picked no longer applies
      results.innerHTML = "";  // no stale match can be picked while the new ones come
      clearTimeout(timer);
      timer = setTimeout(find, 350);
    });
    // An answer to an earlier text (a slow one overtaken by typing) is not shown.
    results.addEventListener("htmx:beforeSwap", function (event) {
      var asked = new URL(event.detail.xhr.responseURL).searchParams.get("q") || "";
      if (asked !== search.value.trim()) { event.detail.shouldSwap = false; }
    });
    search.addEventListener("focus", function () { if (!hidden.value) { find(); } });
    if (sourceName && form && form.elements[sourceName]) {
      form.elements[sourceName].addEventListener("change", function () {
        hidden.value = ""; search.value = ""; close();
      });
    }
    picker.addEventListener("keydown", function (event) {
      var all = options();
      var at = all.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && all.length) {
        event.preventDefault();
        all[Math.min(at + 1, all.length - 1)].focus();
      } else if (event.key === "ArrowUp" && at >= 0) {
        event.preventDefault();
        if (at === 0) { search.focus(); } else { all[at - 1].focus(); }
      } else if (event.key === "Escape") {
        event.preventDefault();
        close(); search.focus();
      } else if (event.key === "Enter" && event.target === search) {
        event.preventDefault();  // Enter in the search box picks the only match, never submits
        if (all.length === 1) { all[0].click(); }
      }
    });
    results.addEventListener("click", function (event) {
      var option = event.target.closest("[data-pick-department]");
      if (!option) { return; }
      hidden.value = option.dataset.pickDepartment;
      search.value = option.dataset.name;
      close();
      var after = next();
      if (after) { after.focus(); }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-department-picker]"), setUp);
})();
