// The scan page records the scan with a POST as soon as it opens; the button is there without JavaScript.
(function () {
  var form = document.querySelector("form[data-auto-submit]");
  if (!form) return;
  var button = form.querySelector("button");
  form.addEventListener("submit", function () { if (button) button.disabled = true; });
  if (button) button.disabled = true;
  form.submit();
})();
