// Projector: a new QR code each period, a countdown to it, and the live count, from a small JSON endpoint.
(function () {
  var root = document.getElementById("projector");
  if (!root) return;
  var stateUrl = root.dataset.stateUrl;
  var token = root.dataset.token || "";
  var refreshAt = Date.now() + Number(root.dataset.refreshInMs || 0) + 150;
  var inFlight = false;
  var purposeIn = stateUrl.indexOf("purpose=out") === -1;
  var $ = function (id) { return document.getElementById(id); };

  function render(state) {
    if (state.approved !== (root.dataset.approved === "yes")) { window.location.reload(); return; }
    if (state.svg && $("qr")) { $("qr").innerHTML = state.svg; }
    if (state.token) { token = state.token; }
    if (state.code && $("code")) { $("code").textContent = state.code; }
    if (typeof state.refresh_in_ms === "number") { refreshAt = Date.now() + state.refresh_in_ms + 150; }
    showCountdown(); // with the new code at once: never the old "0" beside a fresh code
    $("count-main").textContent = purposeIn ? state.checked_in : state.checked_out;
    $("count-enrolled").textContent = state.enrolled;
    if (state.window && $("window")) { $("window").dataset.state = state.window; }
    root.dataset.token = token;
  }

  function poll() {
    if (inFlight) return;
    inFlight = true;
    var sep = stateUrl.indexOf("?") === -1 ? "?" : "&";
    fetch(stateUrl + sep + "have=" + encodeURIComponent(token), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (state) { $("offline").hidden = true; render(state); })
      .catch(function () { $("offline").hidden = false; refreshAt = Date.now() + 2000; })
      .then(function () { inFlight = false; });
  }

  // Seconds to the next code; once they run out, "new code coming" until it arrives (never "0 s").
  function showCountdown() {
    var line = $("countdown-line");
    if (!line) return;
    var left = Math.ceil((refreshAt - Date.now()) / 1000);
    line.dataset.state = left > 0 ? "counting" : "renewing";
    if (left > 0) { $("countdown").textContent = left; }
  }

  function tick() {
    showCountdown();
    if (Date.now() >= refreshAt) { poll(); }
  }

  setInterval(tick, 250);
  setInterval(poll, 3000);
  var fullscreen = $("fullscreen");
  if (fullscreen) {
    fullscreen.addEventListener("click", function () {
      var el = document.documentElement;
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (el.requestFullscreen) { el.requestFullscreen(); }
    });
  }
})();
