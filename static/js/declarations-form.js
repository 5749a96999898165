/* Declaration form: show the quantity, the category choice and the dates the chosen rule needs, and
 * the hours claimed and what is left of the cap as the trainee types. Progressive enhancement only:
 * without JS every field shows and "计算" posts the form; the server's checks are the truth. */
(function () {
  "use strict";
  var form = document.getElementById("decl-form");
  if (!form || !window.fetch) { return; }
  document.documentElement.classList.add("js");
  var select = form.querySelector("#rule_option");
  var box = document.getElementById("preview-body");
  var url = form.dataset.previewUrl;
  var timer = null;

  function chosen() { return select.options[select.selectedIndex] || null; }
  function group(name) { return form.querySelector('[data-group="' + name + '"]'); }
  function value(name) {
    var el = form.querySelector('[name="' + name + '"]:checked') || form.querySelector('[name="' + name + '"]:not([type=radio])');
    return el ? el.value : "";
  }

  function layout() {
    var opt = chosen();
    var dates = opt && opt.dataset.dates === "1";
    var either = opt && opt.dataset.either === "1";
    group("dates").dataset.hidden = dates ? "0" : "1";
    group("either").dataset.hidden = either ? "0" : "1";
    group("quantity").dataset.hidden = opt && opt.dataset.quantity === "0" ? "1" : "0";
    var hint = document.getElementById("evidence-hint");
    var evidenceLabel = form.dataset.evidenceLabel || "%(what)s", unitLabel = form.dataset.unitLabel || "%(unit)s";
    if (hint) { hint.textContent = opt && opt.dataset.evidence ? evidenceLabel.replace("%(what)s", opt.dataset.evidence) : ""; }
    var qhint = group("quantity").querySelector(".hint");
    if (qhint && opt && opt.dataset.unit) { qhint.textContent = unitLabel.replace("%(unit)s", opt.dataset.unit); }
  }

  function show(data) {
    box.textContent = "";
    function line(text, cls) {
      var p = document.createElement("p");
      if (cls) { p.className = cls; }
      p.textContent = text;
      box.appendChild(p);
    }
    if (data.message) { line(data.message, "decl-comment"); return; }
    var left = data.left_in_cap === null ? box.dataset.noCap || "" : (box.dataset.left || "") + " " + data.left_in_cap.toFixed(1);
    line((box.dataset.claimed || "") + " " + data.hours_claimed.toFixed(1) +
      (data.hours_public && data.hours_professional ? "（" + data.hours_public.toFixed(1) + " + " + data.hours_professional.toFixed(1) + "）" : ""));
    if (left) { line(left); }
    if (data.note) { line(data.note, "decl-note"); }
  }

  function refresh() {
    layout();
    if (!select.value) { return; }
    var params = new URLSearchParams();
    ["year", "rule_option", "quantity", "category", "started_on", "ended_on"].forEach(function (name) {
      params.set(name, value(name));
    });
    fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(show)
      .catch(function () { /* the "计算" button still works */ });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "year") { window.location.search = "?year=" + encodeURIComponent(event.target.value); return; }
    refresh();
  });
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 300); });
  layout();
})();
