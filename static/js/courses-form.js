/* Course form: add and remove session rows, show each row's credit hours and the planned totals.
 * Progressive enhancement only: without JS the "add a session" button posts and the server adds a
 * row; the server's checks are the truth and its errors appear on the right row. */
(function () {
  "use strict";
  var box = document.getElementById("sessions");
  var body = document.getElementById("session-rows");
  if (!box || !body) { return; }
  var minutes = parseFloat(box.dataset.minutes) || 45;
  var cap = parseFloat(box.dataset.cap) || 8;
  var seminarPerDay = parseFloat(box.dataset.seminar) || 8;
  var hoursLabel = box.dataset.labelHours || "%(h)s";
  var kind = document.getElementById("kind");
  var category = document.getElementById("category");
  var template = null;

  function rows() { return Array.prototype.slice.call(body.querySelectorAll("tr.session-row")); }
  function input(row, name) { return row.querySelector('[data-field="' + name + '"]'); }
  function toMinutes(text) {
    var m = /^(\d{1,2}):(\d{2})/.exec(text || "");
    return m ? parseInt(m[1], 10) * 60 + parseInt(m[2], 10) : null;
  }
  function floorHalf(x) { return Math.floor(x * 2 + 1e-9) / 2; }
  function fmt(x) { return (Math.round(x * 10) / 10).toFixed(1); }

  function computed(row) {
    var start = toMinutes(input(row, "start").value), end = toMinutes(input(row, "end").value);
    if (start === null || end === null || end <= start) { return null; }
    return floorHalf((end - start) / minutes);
  }

  function refresh() {
    var perDay = {};
    rows().forEach(function (row, i) {
      row.querySelector(".n").textContent = String(i + 1);
      var hours = computed(row);
      var hint = row.querySelector("[data-computed]");
      var field = input(row, "credit_hours");
      if (hours === null) { hint.textContent = ""; field.placeholder = ""; return; }
      hint.textContent = hoursLabel.replace("%(h)s", fmt(hours));
      field.placeholder = fmt(hours);
      var day = input(row, "day").value;
      if (!day) { return; }
      var given = parseFloat(field.value);
      var credit = isNaN(given) ? hours : Math.min(given, hours);
      perDay[day] = (perDay[day] || 0) + credit;
    });
    var days = Object.keys(perDay);
    var total = 0;
    if (kind && kind.value === "advanced_seminar") {
      total = Math.min(seminarPerDay, cap) * days.length;
    } else {
      days.forEach(function (d) { total += Math.min(perDay[d], cap); });
    }
    box.querySelector("[data-total-days]").textContent = String(days.length);
    box.querySelector("[data-total-hours]").textContent = fmt(total);
  }

  function renumber(row, index) {
    row.dataset.index = String(index);
    row.querySelectorAll("input, select").forEach(function (el) {
      ["name", "id"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.replace(/^sessions-\d+-/, "sessions-" + index + "-")); }
      });
    });
  }

  function nextDay(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    if (!m) { return ""; }
    var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3] + 1));
    return d.toISOString().slice(0, 10);
  }

  function blankRow() {
    var row = template.cloneNode(true);
    row.classList.remove("locked");
    row.querySelectorAll("input").forEach(function (el) { el.value = ""; el.removeAttribute("readonly"); });
    row.querySelectorAll("select option").forEach(function (option) { option.selected = false; });
    row.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    var last = row.lastElementChild;
    last.innerHTML = "";
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "remove-row";
    remove.textContent = "×";
    remove.setAttribute("data-remove-row", "");
    remove.setAttribute("aria-label", box.dataset.removeLabel || "×");
    last.appendChild(remove);
    return row;
  }

  function addRow() {
    var existing = rows();
    var index = existing.reduce(function (max, r) { return Math.max(max, parseInt(r.dataset.index, 10) || 0); }, -1) + 1;
    var row = blankRow();
    renumber(row, index);
    var previous = existing[existing.length - 1];
    if (previous) {  // a multi-day seminar: the next day, same hours
      input(row, "day").value = nextDay(input(previous, "day").value);
      input(row, "start").value = input(previous, "start").value;
      input(row, "end").value = input(previous, "end").value;
    }
    body.appendChild(row);
    refresh();
    input(row, "day").focus();
  }

  function removeRow(row) {
    var after = row.nextElementSibling;
    if (after && after.classList.contains("row-error")) { after.remove(); }
    row.remove();
    if (!rows().length) { addRow(); }
    refresh();
  }

  function seminarRule() {
    if (!kind || !category) { return; }
    var seminar = kind.value === "advanced_seminar";
    Array.prototype.forEach.call(category.options, function (option) {
      option.disabled = seminar && option.value !== "professional";
    });
    if (seminar) { category.value = "professional"; }
  }

  var first = rows()[0];
  if (first) { template = first.cloneNode(true); }
  box.dataset.removeLabel = (first && first.querySelector("[data-remove-row]") || {}).title || "×";

  var addButton = box.querySelector("[data-add-row]");
  if (addButton && template) {
    addButton.addEventListener("click", function (event) { event.preventDefault(); addRow(); });
  }
  body.addEventListener("click", function (event) {
    var target = event.target.closest("[data-remove-row]");
    if (target) { removeRow(target.closest("tr")); }
  });
  body.addEventListener("input", refresh);
  body.addEventListener("change", refresh);
  if (kind) { kind.addEventListener("change", function () { seminarRule(); refresh(); }); }
  seminarRule();
  refresh();
})();
