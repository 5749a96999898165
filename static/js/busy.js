/* Long actions say they are working and cannot be started twice (issue 15).
 * A form with data-busy: on submit its submit buttons are disabled and the text of data-busy is
 * shown in its .busy-note (the server's finalisation is idempotent anyway; this keeps a second
 * click from queueing a second request). A link with data-busy (a streamed download) is marked
 * aria-disabled for data-busy-seconds, and a click meanwhile does nothing. Without JS both work
 * as plain forms and links. */
(function () {
  "use strict";
  function note(near, text) {
    var box = near.querySelector(".busy-note") || (near.nextElementSibling && near.nextElementSibling.classList.contains("busy-note") ? near.nextElementSibling : null);
    if (box) { box.textContent = text; box.hidden = false; }
  }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-busy]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.busyState === "on") { event.preventDefault(); return; }
      form.dataset.busyState = "on";
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit], input[type=submit]"), function (button) {
        // Disabled after this event: a button disabled during it would not be submitted.
        setTimeout(function () { button.disabled = true; button.setAttribute("aria-busy", "true"); }, 0);
      });
      note(form, form.dataset.busy);
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("a[data-busy]"), function (link) {
    link.addEventListener("click", function (event) {
      if (link.getAttribute("aria-disabled") === "true") { event.preventDefault(); return; }
      link.setAttribute("aria-disabled", "true");
      link.classList.add("is-busy");
      note(link.parentNode, link.dataset.busy);
      var seconds = parseInt(link.dataset.busySeconds, 10) || 5;
      setTimeout(function () {
        link.removeAttribute("aria-disabled");
        link.classList.remove("is-busy");
      }, seconds * 1000);
    });
  });
}());
