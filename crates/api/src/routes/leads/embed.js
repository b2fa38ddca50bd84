// Kith web form embed: renders the form into #kith-form-<id> and submits it as JSON.
// Served by /api/v1/public/forms/<id>/embed.js with the server address, form id, country list and
// stylesheet filled in. The form lives in a shadow root with its own stylesheet (the builder
// preview's look, nothing fetched from elsewhere): the host page's styles do not reach into it and
// its styles do not leak out.
(function () {
  "use strict";
  var base = __KITH_BASE__;
  var formId = __KITH_FORM__;
  var countries = __KITH_COUNTRIES__;
  var css = __KITH_CSS__;
  var host = document.getElementById("kith-form-" + formId);
  if (!host) { return; }
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var started = Date.now();
  var key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Math.random()).slice(2) + String(started);

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) { e.textContent = text; }
    return e;
  }

  function choice(id, name, pairs) {
    var select = el("select", { id: id, name: name });
    select.appendChild(el("option", { value: "" }, "\u2014"));
    pairs.forEach(function (p) { select.appendChild(el("option", { value: p[0] }, p[1])); });
    return select;
  }

  function labelText(f) {
    var span = el("span", { "class": "kith-label" }, f.label);
    if (f.required) { span.appendChild(el("span", { "class": "kith-req", "aria-hidden": "true" }, " *")); }
    return span;
  }

  var style = el("style");
  style.textContent = css;
  root.appendChild(style);

  fetch(base + "/api/v1/public/forms/" + formId).then(function (r) { return r.json(); }).then(function (def) {
    var form = el("form", { "class": "kith-form", novalidate: "" });
    def.fields.forEach(function (f) {
      var id = "kith-" + f.name;
      var wrap, input;
      if (f.input === "checkbox") {
        wrap = el("label", { "class": "kith-check" });
        input = el("input", { id: id, name: f.name, type: "checkbox", value: "on" });
        wrap.appendChild(input);
        wrap.appendChild(labelText(f));
      } else {
        wrap = el("label", { "class": "kith-field", "for": id });
        wrap.appendChild(labelText(f));
        if (f.input === "textarea") {
          input = el("textarea", { id: id, name: f.name });
        } else if (f.input === "select") {
          input = choice(id, f.name, (f.options || []).map(function (o) { return [o, o]; }));
        } else if (f.input === "country") {
          input = choice(id, f.name, countries);
        } else {
          var types = { email: "email", tel: "tel", url: "url", number: "number", date: "date" };
          input = el("input", { id: id, name: f.name, type: types[f.input] || "text" });
        }
        wrap.appendChild(input);
        if (f.help_text) { wrap.appendChild(el("small", { "class": "kith-help" }, f.help_text)); }
      }
      if (f.required) { input.required = true; }
      form.appendChild(wrap);
      if (f.help_text && f.input === "checkbox") { form.appendChild(el("small", { "class": "kith-help" }, f.help_text)); }
      form.appendChild(el("small", { "class": "kith-error", "data-for": f.name, role: "alert" }));
    });
    if (def.consent_text) {
      var label = el("label", { "class": "kith-check" });
      var box = el("input", { type: "checkbox", name: "kith_consent", value: "on" });
      box.required = true;
      label.appendChild(box);
      label.appendChild(el("span", {}, def.consent_text));
      form.appendChild(label);
      form.appendChild(el("small", { "class": "kith-error", "data-for": "kith_consent", role: "alert" }));
    }
    var hp = el("input", { type: "text", name: "kith_hp", tabindex: "-1", autocomplete: "off", "aria-hidden": "true" });
    hp.style.position = "absolute";
    hp.style.left = "-10000px";
    form.appendChild(hp);
    var status = el("p", { "class": "kith-status", role: "status" });
    var button = el("button", { type: "submit" }, "Send");
    form.appendChild(el("div")).appendChild(button);
    form.appendChild(status);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = {};
      new FormData(form).forEach(function (v, k) { data[k] = String(v); });
      var query = new URLSearchParams(window.location.search);
      ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"].forEach(function (u) {
        if (query.get(u)) { data[u] = query.get(u); }
      });
      data.kith_ts = String(started);
      data.kith_submission_id = key;
      form.querySelectorAll(".kith-error").forEach(function (e) { e.textContent = ""; });
      form.querySelectorAll("[aria-invalid]").forEach(function (e) { e.removeAttribute("aria-invalid"); });
      status.textContent = "";
      button.disabled = true;
      fetch(base + "/api/v1/public/forms/" + formId + "/submissions", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(data)
      }).then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      }).then(function (res) {
        button.disabled = false;
        if (res.ok) {
          if (res.body.redirect_url) { window.location.href = res.body.redirect_url; return; }
          var thanks = el("p", { "class": "kith-thanks", role: "status" }, res.body.message);
          form.textContent = "";
          form.appendChild(thanks);
          return;
        }
        var placed = 0;
        (res.body.errors || []).forEach(function (e) {
          var slot = form.querySelector('.kith-error[data-for="' + e.field + '"]');
          if (slot) {
            slot.textContent = e.message;
            placed += 1;
            var input = form.querySelector('[name="' + e.field + '"]');
            if (input) { input.setAttribute("aria-invalid", "true"); }
          }
        });
        if (placed === 0) { status.textContent = res.body.detail || res.body.title || "Something went wrong."; }
      }).catch(function () {
        button.disabled = false;
        status.textContent = "The form could not be sent. Please try again.";
      });
    });
    root.appendChild(form);
  });
})();
