// The registration page (登记): parts shown by channel and choices, rows added, look-ups
// while typing (petitioners, ID numbers, cadres), attachments dropped on the page.
// No inline scripts: the content-security policy forbids them.
(function () {
  "use strict";
  var form = document.getElementById("register-form");
  if (!form) { return; }

  function $(selector, root) { return (root || form).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || form).querySelectorAll(selector)); }
  function value(name) {
    var checked = form.querySelector("[name=" + name + "]:checked");
    if (checked) { return checked.value; }
    var field = form.elements[name];
    if (!field) { return ""; }
    if (field.type === "checkbox") { return field.checked ? "on" : ""; }
    return field.value || "";
  }

  // --- parts shown by the choices made ------------------------------------------------------
  function refresh() {
    var state = {
      "visit": value("channel") === form.dataset.visit,
      "source-not-direct": value("source") !== "direct",
      "anonymous": value("is_anonymous") === "on",
      "collective": value("is_collective") === "on",
      "personal-request": value("category") === form.dataset.personalRequest
    };
    $all("[data-show-when]").forEach(function (el) { el.hidden = !state[el.dataset.showWhen]; });
    $all("[data-hide-when]").forEach(function (el) { el.hidden = !!state[el.dataset.hideWhen]; });
  }
  form.addEventListener("change", refresh);
  refresh();

  // --- rows of petitioners and respondents ---------------------------------------------------
  var prefixes = { petitioner: "p", respondent: "r" };
  $all("[data-add-row]").forEach(function (button) {
    button.addEventListener("click", function () {
      var kind = button.dataset.addRow;
      var total = form.elements[prefixes[kind] + "-TOTAL_FORMS"];
      var index = parseInt(total.value, 10);
      var html = document.getElementById(kind + "-template").innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      document.getElementById(kind + "-rows").appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input:not([type=hidden])");
      if (first) { first.focus(); }
    });
  });

  // --- look-ups while typing -------------------------------------------------------------------
  // Every request names its own source element. htmx keeps one request in flight per source
  // and queues only the last one after it, so with the page's default source a look-up asked
  // while the routing proposal was on its way could be replaced and never sent (the cadre
  // list of a respondent then never appeared).
  var timers = {};
  function later(key, fn) {
    clearTimeout(timers[key]);
    timers[key] = setTimeout(fn, 350);
  }
  var activeRow = null;

  function lookUp(row) {
    activeRow = row;
    var values = {};
    $all("[data-lookup]", row).forEach(function (input) { values[input.dataset.lookup] = input.value.trim(); });
    var target = document.getElementById("lookup-results");
    if (!values.name && !values.id_number && !values.phone) { return; }
    htmx.ajax("GET", form.dataset.lookupUrl, { source: target, target: target, swap: "innerHTML", values: values });
  }

  function checkIdNumber(input) {
    var row = input.closest("[data-row]");
    var facts = row.querySelector(".id-facts");
    var raw = input.value.trim();
    if (raw.length < 18) { facts.innerHTML = ""; return; }
    htmx.ajax("GET", form.dataset.idnumberUrl, { source: facts, target: facts, swap: "innerHTML", values: { id_number: raw } })
      .then(function () {
        var known = facts.querySelector("[data-region]");
        var address = row.querySelector("[data-fill=address]");
        if (known && known.dataset.region && address && !address.value) { address.value = known.dataset.region; }
      });
  }

  function searchCadres(input) {
    var scope = input.closest("[data-cadre-scope]");
    var results = scope.querySelector(".cadre-results");
    var query = input.value.trim();
    var picked = scope.querySelector("[data-cadre-field=cadre]");
    if (picked && picked.value) {  // typing again: the directory cadre no longer applies
      picked.value = "";
      scope.querySelector(".picked").textContent = "";
    }
    if (!query) { results.innerHTML = ""; return; }
    htmx.ajax("GET", form.dataset.cadresUrl, { source: results, target: results, swap: "innerHTML", values: { q: query } });
  }

  // --- the routing proposal for what the form holds now (R-ROUTE-1) --------------------------
  // Only the facts routing reads, never the files: POSTed (the text stays out of URLs), the
  // answer a fragment computed by the same proposal as after registration.
  var ROUTING_FACTS = /^(category|nature|is_anonymous|anonymous_treatment|summary|content|concerned_.+|r-.+)$/;
  function proposeRouting() {
    var values = {};
    new FormData(form).forEach(function (v, k) {
      if (typeof v === "string" && ROUTING_FACTS.test(k)) { values[k] = v; }
    });
    htmx.ajax("POST", form.dataset.routingUrl, {
      source: "#routing-preview",
      target: "#routing-preview",
      swap: "innerHTML",
      values: values,
      headers: { "X-CSRFToken": form.elements.csrfmiddlewaretoken.value }
    });
  }
  function routingChanged(event) {
    if (event.target.name && ROUTING_FACTS.test(event.target.name)) { later("routing", proposeRouting); }
  }
  form.addEventListener("input", routingChanged);
  form.addEventListener("change", routingChanged);
  if (value("category") && value("nature")) { proposeRouting(); }  // a form sent back with errors

  // --- a category and referral target suggested from the text (issue 11 item 4) -------------
  // Advice only: the registrar applies it with the fragment's button; nothing changes alone.
  var SUGGEST_FACTS = /^(category|nature|summary|content)$/;
  function suggestFromText() {
    // Its own source element: htmx queues requests per source (the last one only), so with
    // the page's default source the routing proposal asked at the same moment was dropped.
    htmx.ajax("POST", form.dataset.suggestUrl, {
      source: "#suggest-preview",
      target: "#suggest-preview",
      swap: "innerHTML",
      values: { summary: value("summary"), content: value("content"), category: value("category"), nature: value("nature") },
      headers: { "X-CSRFToken": form.elements.csrfmiddlewaretoken.value }
    });
  }
  function suggestChanged(event) {
    if (event.target.name && SUGGEST_FACTS.test(event.target.name)) { later("suggest", suggestFromText); }
  }
  form.addEventListener("input", suggestChanged);
  form.addEventListener("change", suggestChanged);
  if (value("summary") || value("content")) { suggestFromText(); }

  form.addEventListener("input", function (event) {
    var input = event.target;
    if (input.dataset.lookup) {
      var row = input.closest("[data-row]");
      later("lookup", function () { lookUp(row); });
    }
    if (input.dataset.idcheck) { later("id-" + input.name, function () { checkIdNumber(input); }); }
    if (input.dataset.cadreSearch) { later("cadre-" + input.name, function () { searchCadres(input); }); }
  });
  form.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest("[data-row=petitioner]");
    if (row) { activeRow = row; }
  });

  // --- choices made in the look-up results ----------------------------------------------------
  form.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target) { return; }
    if (target.hasAttribute("data-apply-category")) {
      var category = form.elements.category;
      category.value = target.dataset.applyCategory;
      category.dispatchEvent(new Event("change", { bubbles: true }));
      refresh();
    } else if (target.hasAttribute("data-pick-cadre")) {
      var scope = target.closest("[data-cadre-scope]");
      $all("[data-cadre-field]", scope).forEach(function (field) {
        var given = target.dataset[field.dataset.cadreField];
        if (given !== undefined) { field.value = given; }
      });
      scope.querySelector(".picked").textContent = "已从干部名册选择：" + target.dataset.label;
      scope.querySelector(".cadre-results").innerHTML = "";
      refresh();
      later("routing", proposeRouting);
    } else if (target.hasAttribute("data-fill-petitioner")) {
      var row = activeRow || $("[data-row=petitioner]");
      ["name", "address"].forEach(function (key) {
        var field = row && row.querySelector("[data-fill=" + key + "]");
        if (field && !field.value && target.dataset[key]) { field.value = target.dataset[key]; }
      });
    } else if (target.hasAttribute("data-link-case")) {
      var repeat = form.elements.repeat_of;
      repeat.value = target.dataset.linkCase;
      repeat.focus();
    }
  });

  // --- 转来部门: a typed search, as on every form that picks a department (departments.js) --

  // --- attachments: the file input also takes files dropped on its zone ------------------------
  var zone = document.getElementById("drop-zone");
  var files = form.elements.attachments;
  function listFiles() {
    var list = document.getElementById("drop-list");
    list.innerHTML = "";
    Array.prototype.forEach.call(files.files, function (file) {
      var item = document.createElement("li");
      item.textContent = file.name + "（" + Math.max(1, Math.round(file.size / 1024)) + " KB）";
      list.appendChild(item);
    });
  }
  if (zone && files) {
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("dragging"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("dragging");
      var all = new DataTransfer();
      Array.prototype.forEach.call(files.files, function (file) { all.items.add(file); });
      Array.prototype.forEach.call(event.dataTransfer.files, function (file) { all.items.add(file); });
      files.files = all.files;
      listFiles();
    });
    files.addEventListener("change", listFiles);
  }

  // --- keyboard: Ctrl+Enter registers from any field ------------------------------------------
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
