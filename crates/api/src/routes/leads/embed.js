// Kith web form embed: renders the form into #kith-form-<id> and submits it as JSON.
// Served by /api/v1/public/forms/<id>/embed.js with the server address and form id filled in.
(function () {
  "use strict";
  var base = __KITH_BASE__;
  var formId = __KITH_FORM__;
  var root = document.getElementById("kith-form-" + formId);
  if (!root) { return; }
  var started = Date.now();
  var key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Math.random()).slice(2) + String(started);
  var types = { email: "email", phone: "tel", website: "url", company_size: "number" };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) { e.textContent = text; }
    return e;
  }

  fetch(base + "/api/v1/public/forms/" + formId).then(function (r) { return r.json(); }).then(function (def) {
    var form = el("form", { "class": "kith-form", novalidate: "" });
    def.fields.forEach(function (f) {
      var p = el("p");
      var id = "kith-" + formId + "-" + f.name;
      p.appendChild(el("label", { "for": id }, f.label));
      p.appendChild(el("br"));
      var input = f.target === "message" ? el("textarea", { id: id, name: f.name }) : el("input", { id: id, name: f.name, type: types[f.target] || "text" });
      if (f.required) { input.required = true; }
      p.appendChild(input);
      p.appendChild(el("small", { "class": "kith-error", "data-for": f.name }));
      form.appendChild(p);
    });
    if (def.consent_text) {
      var c = el("p");
      var label = el("label");
      var box = el("input", { type: "checkbox", name: "kith_consent", value: "on" });
      box.required = true;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + def.consent_text));
      c.appendChild(label);
      c.appendChild(el("small", { "class": "kith-error", "data-for": "kith_consent" }));
      form.appendChild(c);
    }
    var hp = el("input", { type: "text", name: "kith_hp", tabindex: "-1", autocomplete: "off", "aria-hidden": "true" });
    hp.style.position = "absolute";
    hp.style.left = "-10000px";
    form.appendChild(hp);
    var status = el("p", { "class": "kith-status", role: "status" });
    var button = el("button", { type: "submit" }, "Send");
    form.appendChild(el("p")).appendChild(button);
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
          root.textContent = res.body.message;
          return;
        }
        (res.body.errors || []).forEach(function (e) {
          var slot = form.querySelector('.kith-error[data-for="' + e.field + '"]');
          if (slot) { slot.textContent = e.message; }
        });
        status.textContent = res.body.detail || res.body.title || "Something went wrong.";
      }).catch(function () {
        button.disabled = false;
        status.textContent = "The form could not be sent. Please try again.";
      });
    });
    root.appendChild(form);
  });
})();
