// The scanner page (DOMAIN §6 "Staff scan and offline check-in"; basesys/attendance/scanner.py).
//
// Each scan — a QR decoded from the camera (jsQR) or a typed ID number — is first written to
// IndexedDB with a UUID and the device's time, and shown at once with a sound; the queue is then
// uploaded in batches through POST /api/v1/sessions/{id}/staff-scans, whose answer (the server
// decides) replaces the first result. A scan leaves the queue only in the IndexedDB transaction
// that stores its answer. Hooks for tests and diagnostics: window.basesysScanner.
(function () {
  "use strict";
  var setupNode = document.getElementById("scanner-setup");
  if (!setupNode) return;
  var S = JSON.parse(setupNode.textContent);
  var T = S.texts;
  var root = document.getElementById("scanner");
  var $ = function (id) { return document.getElementById(id); };
  var PURPOSE_KEY = "basesys-scanner-purpose-" + S.session_id;
  var purpose = localStorage.getItem(PURPOSE_KEY) || S.purpose || "in";
  var KEEP_DONE_MS = 48 * 3600 * 1000;  // answered scans stay listed for two days, then go
  var LIST_LENGTH = 60;

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_m, key) { return values[key] === undefined ? "" : values[key]; });
  }
  // Times as the business timezone reads them (Asia/Shanghai), whatever the device's zone.
  var clockFormat = null;
  try {
    clockFormat = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  } catch (e) { clockFormat = null; }
  function hhmm(iso) {
    var d = new Date(iso);
    if (isNaN(d)) return "";
    if (clockFormat) return clockFormat.format(d);
    var local = new Date(d.getTime() + 8 * 3600 * 1000);
    return ("0" + local.getUTCHours()).slice(-2) + ":" + ("0" + local.getUTCMinutes()).slice(-2);
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));  // older WebViews: RFC 4122 v4 by hand
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function maskId(number) { return number.slice(0, 4) + "**********" + number.slice(-4); }

  // --- IndexedDB: one store of scans, keyed by client_id ------------------------------------

  var DB_NAME = "basesys-scanner";
  var STORE = "scans";
  var dbPromise = new Promise(function (resolve, reject) {
    var request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = function () {
      var store = request.result.createObjectStore(STORE, { keyPath: "client_id" });
      store.createIndex("session", "session_id");
    };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });

  function transact(mode, work) {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var out = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(out && "result" in out ? out.result : out); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new Error("aborted")); };
      });
    });
  }
  function putAll(records) {
    return transact("readwrite", function (store) { records.forEach(function (r) { store.put(r); }); });
  }
  function sessionRecords() {
    return transact("readonly", function (store) {
      return store.index("session").getAll(S.session_id);
    }).then(function (rows) {
      return rows.sort(function (a, b) { return a.scanned_at < b.scanned_at ? -1 : a.scanned_at > b.scanned_at ? 1 : 0; });
    });
  }
  function pruneOld() {
    var limit = Date.now() - KEEP_DONE_MS;
    return transact("readwrite", function (store) {
      store.index("session").openCursor(S.session_id).onsuccess = function (event) {
        var cursor = event.target.result;
        if (!cursor) return;
        if (cursor.value.state === "done" && Date.parse(cursor.value.scanned_at) < limit) cursor.delete();
        cursor.continue();
      };
    });
  }

  // --- sound: one high tone recorded, two low tones refused ---------------------------------

  var audio = null;
  function unlockAudio() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    if (!audio) { try { audio = new Ctx(); } catch (e) { audio = null; return; } }
    if (audio.state === "suspended") audio.resume();
  }
  function tones(list) {
    if (!audio) unlockAudio();
    if (!audio) return;
    var t = audio.currentTime + 0.01;
    list.forEach(function (tone) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = "square";
      osc.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.25, t + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + tone[1]);
      osc.connect(gain).connect(audio.destination);
      osc.start(t);
      osc.stop(t + tone[1] + 0.02);
      t += tone[1] + 0.08;
    });
  }
  var SOUNDS = {
    ok: [[1318, 0.16]],
    already: [[880, 0.12], [880, 0.12]],
    refused: [[220, 0.22], [196, 0.3]],
  };
  function soundOf(kind) { return kind === "refused" ? "refused" : kind === "already_checked_in" ? "already" : "ok"; }
  function sound(kind) {
    var name = soundOf(kind);
    tones(SOUNDS[name]);
    if (navigator.vibrate) navigator.vibrate(name === "refused" ? [120, 80, 120] : 60);
  }

  // --- what a record shows --------------------------------------------------------------------

  function who(record) {
    var trainee = record.result && record.result.trainee_id && S.roster[String(record.result.trainee_id)];
    if (trainee) return trainee[0] + " " + trainee[1];
    if (record.id_number) return maskId(record.id_number);
    trainee = codeTrainee(record.code);  // offline too: the code names its trainee
    if (trainee) return trainee[0] + " " + trainee[1];
    return T.personal_code;
  }
  // kind: checked_in / checked_out / already_checked_in / refused (the server's answer),
  // queued (offline, waiting) or confirming (being uploaded).
  function view(record) {
    var r = record.result;
    if (r) {
      var title = T[r.result] || r.result;
      var detail = r.result === "refused" ? (r.error && r.error.message) || "" : hhmm(r.at);
      if (r.replayed) detail += (detail ? " · " : "") + T.sent_before;
      return { kind: r.result, title: title, detail: detail };
    }
    if (record.refusal) return { kind: "refused", title: T.refused, detail: record.refusal };
    var online = navigator.onLine !== false;
    return { kind: online ? "confirming" : "queued", title: online ? T.confirming : T.queued, detail: "" };
  }

  var shown = null;  // client_id of the record on the big result, or null
  function showResult(record, withSound) {
    var v = view(record);
    var box = $("result");
    box.dataset.kind = v.kind;
    box.dataset.purpose = record.purpose;
    box.dataset.clientId = record.client_id || "";
    $("result-purpose").textContent = record.purpose === "out" ? T.out : T.in;
    $("result-title").textContent = v.title;
    $("result-who").textContent = who(record);
    $("result-detail").textContent = v.detail;
    box.classList.remove("flash");
    void box.offsetWidth;
    box.classList.add("flash");
    shown = record.client_id || null;
    if (withSound) sound(v.kind);
  }

  function renderList(records) {
    var list = $("scans");
    list.textContent = "";
    records.slice(-LIST_LENGTH).reverse().forEach(function (record) {
      var v = view(record);
      var li = document.createElement("li");
      li.dataset.kind = v.kind;
      li.dataset.clientId = record.client_id;
      var when = document.createElement("span");
      when.className = "when";
      when.textContent = hhmm(record.scanned_at);
      var what = document.createElement("span");
      what.className = "what";
      what.textContent = (record.purpose === "out" ? T.out : T.in) + " · " + who(record);
      var state = document.createElement("span");
      state.className = "state";
      state.textContent = v.title + (v.detail ? " · " + v.detail : "");
      li.append(when, what, state);
      list.appendChild(li);
    });
  }

  var pendingCount = 0;
  function renderPending(records) {
    pendingCount = records.filter(function (r) { return r.state === "queued"; }).length;
    var node = $("pending");
    node.dataset.count = String(pendingCount);
    node.textContent = pendingCount ? fmt(T.pending, { n: pendingCount }) : T.none_pending;
  }

  function refresh() {
    return sessionRecords().then(function (records) {
      renderPending(records);
      renderList(records);
      return records;
    });
  }

  // --- a scan: checked on the device, stored, shown, then uploaded ---------------------------

  function idProblem(raw) {
    var number = (raw || "").normalize("NFKC").replace(/\s+/g, "").toUpperCase();
    if (number.length !== 18) return [number, T.id_length];
    if (!/^\d{17}[\dX]$/.test(number)) return [number, T.id_format];
    var weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += Number(number[i]) * weights[i];
    if ("10X98765432"[sum % 11] !== number[17]) return [number, T.id_check];
    var y = Number(number.slice(6, 10)), m = Number(number.slice(10, 12)), d = Number(number.slice(12, 14));
    var born = new Date(y, m - 1, d);
    if (born.getFullYear() !== y || born.getMonth() !== m - 1 || born.getDate() !== d || y < 1900 || born > new Date()) {
      return [number, T.id_birth];
    }
    return [number, null];
  }

  // The server's pattern of a personal code (attendance/personal_codes.py); group 1 is the trainee.
  var CODE = S.code_pattern ? new RegExp(S.code_pattern) : null;
  function codeProblem(text) {
    if (/\/q\/[^/]+$/.test(text)) return T.projector_code;  // the projector's check-in URL
    if (text.length > S.code_max_length || /[\u0000-\u001f\u007f]/.test(text)) return T.not_code;
    if (CODE && !CODE.test(text.toUpperCase())) return T.not_code;
    return null;
  }
  function codeTrainee(code) {
    var m = CODE && code ? CODE.exec(code.toUpperCase()) : null;
    return m ? S.roster[m[1]] : null;
  }

  // A refusal the device can tell for sure (not a code at all, a mistyped ID number): shown, not queued.
  function refuseHere(fields, message) {
    var record = { client_id: null, purpose: purpose, id_number: fields.id_number || null, refusal: message };
    showResult(record, true);
    return Promise.resolve({ client_id: null, kind: "refused", message: message });
  }

  function isSame(a, fields) {
    return (fields.code && a.code === fields.code) || (fields.id_number && a.id_number === fields.id_number);
  }

  function record(fields) {
    var scan = {
      client_id: uuid(),
      session_id: S.session_id,
      purpose: purpose,
      code: fields.code || null,
      id_number: fields.id_number || null,
      scanned_at: new Date().toISOString(),
      state: "queued",
      result: null,
    };
    var first = null;
    return sessionRecords().then(function (records) {
      // The same trainee scanned for check-in before on this device: amber at once (the server
      // will answer already_checked_in); it is queued all the same, the server decides.
      if (purpose === "in") {
        first = records.filter(function (r) {
          return r.purpose === "in" && isSame(r, fields) && !(r.result && r.result.result === "refused");
        })[0] || null;
      }
      return putAll([scan]);
    }).then(function () {
      if (first) {
        var at = first.result ? first.result.at : first.scanned_at;
        showResult({ client_id: scan.client_id, purpose: "in", code: scan.code, id_number: scan.id_number,
                     result: { result: "already_checked_in", at: at, trainee_id: first.result && first.result.trainee_id } }, true);
        $("result-detail").textContent = hhmm(at) + " · " + (navigator.onLine === false ? T.queued : T.confirming);
      } else {
        showResult(scan, true);
      }
      refresh();
      soon();
      return { client_id: scan.client_id, kind: $("result").dataset.kind };
    }, function () {
      return refuseHere(fields, T.device_error);
    });
  }

  function decoded(text) {
    text = String(text == null ? "" : text).trim();
    if (!text) return Promise.resolve(null);
    var problem = codeProblem(text);
    if (problem) return refuseHere({}, problem);
    return record({ code: text });
  }

  function typed(raw) {
    var checked = idProblem(raw);
    if (checked[1]) return refuseHere({ id_number: checked[0].length === 18 ? checked[0] : null }, checked[1]);
    return record({ id_number: checked[0] });
  }

  // --- upload ---------------------------------------------------------------------------------

  var token = null;
  var tokenUntil = 0;
  var syncing = null;
  var backoff = 0;
  var nextTry = 0;
  var needLogin = false;

  function LoginNeeded() { this.name = "LoginNeeded"; }
  function Unreachable(status) { this.name = "Unreachable"; this.status = status; }
  function Gone() { this.name = "Gone"; }

  function getToken(fresh) {
    if (!fresh && token && Date.now() < tokenUntil) return Promise.resolve(token);
    return fetch(S.token_url, { credentials: "same-origin", cache: "no-store", redirect: "manual",
                                headers: { Accept: "application/json" } })
      .catch(function () { throw new Unreachable(0); })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) throw new LoginNeeded();
        if (response.status === 404) throw new Gone();
        if (!response.ok) throw new Unreachable(response.status);
        return response.json();
      })
      .then(function (answer) {
        token = answer.token;
        tokenUntil = Date.now() + Math.max(0, answer.expires_in - 120) * 1000;
        return token;
      });
  }

  function body(batch) {
    return JSON.stringify({
      sent_at: new Date().toISOString(),
      scans: batch.map(function (r) {
        var scan = { client_id: r.client_id, purpose: r.purpose, scanned_at: r.scanned_at };
        if (r.code) scan.code = r.code;
        if (r.id_number) scan.id_number = r.id_number;
        return scan;
      }),
    });
  }

  function post(batch, retried) {
    return getToken(retried).then(function (bearer) {
      return fetch(S.api_url, {
        method: "POST", credentials: "omit", cache: "no-store",
        headers: { "Content-Type": "application/json", Authorization: "Bearer " + bearer },
        body: body(batch),
      }).catch(function () { throw new Unreachable(0); });
    }).then(function (response) {
      if (response.status === 401) {
        token = null;
        if (!retried) return post(batch, true);
        throw new LoginNeeded();
      }
      if (response.status === 403) throw new LoginNeeded();
      if (response.status === 404) throw new Gone();
      if (response.status === 422) return response.json().then(function (answer) { return { invalid: answer }; });
      if (!response.ok) throw new Unreachable(response.status);
      return response.json();
    });
  }

  // A 422 names the bad scans (`scans.N.field`): those leave the queue refused, the rest go again.
  function invalidScans(batch, answer) {
    var fields = (answer && answer.error && answer.error.fields) || {};
    var bad = {};
    Object.keys(fields).forEach(function (key) {
      var m = /^scans\.(\d+)(\.|$)/.exec(key);
      if (m && batch[Number(m[1])]) bad[m[1]] = (bad[m[1]] ? bad[m[1]] + "；" : "") + fields[key];
    });
    return bad;
  }

  function store(batch, answer, tally) {
    var byId = {};
    (answer.results || []).forEach(function (r) { byId[r.client_id] = r; });
    var done = [];
    batch.forEach(function (r) {
      var result = byId[r.client_id];
      if (!result) return;  // not answered: stays queued
      r.result = { result: result.result, error: result.error || null, at: result.at,
                   trainee_id: result.trainee_id || null, replayed: !!result.replayed };
      r.state = "done";
      r.synced_at = new Date().toISOString();
      done.push(r);
      tally.n += 1;
      if (result.replayed) tally.replayed += 1;
      else if (result.result === "refused") tally.refused += 1;
      else if (result.result === "already_checked_in") tally.already += 1;
      else tally.ok += 1;
    });
    return putAll(done).then(function () { return done; });
  }

  function sendBatch(batch, tally) {
    return post(batch, false).then(function (answer) {
      if (!answer.invalid) return store(batch, answer, tally);
      var bad = invalidScans(batch, answer.invalid);
      var refusedHere = [];
      var rest = batch.filter(function (r, i) {
        if (bad[i] === undefined) return true;
        r.state = "done";
        r.result = { result: "refused", error: { code: "validation_failed", message: fmt(T.server_refused, { message: bad[i] }) },
                     at: r.scanned_at, trainee_id: null, replayed: false };
        refusedHere.push(r);
        tally.n += 1;
        tally.refused += 1;
        return false;
      });
      if (!refusedHere.length) throw new Unreachable(422);  // nothing to single out: retry later
      return putAll(refusedHere).then(function () { return rest.length ? sendBatch(rest, tally) : []; })
        .then(function (more) { return refusedHere.concat(more); });
    });
  }

  function logSync(tally) {
    var li = document.createElement("li");
    var now = new Date();
    li.textContent = fmt(T.sync_report, { time: hhmm(now.toISOString()), n: tally.n, ok: tally.ok,
      already: tally.already, refused: tally.refused, replayed: tally.replayed });
    var log = $("sync-log");
    log.insertBefore(li, log.firstChild);
    while (log.children.length > 8) log.removeChild(log.lastChild);
    lastSync = tally;
  }

  var lastSync = null;
  function runSync() {
    return sessionRecords().then(function (records) {
      var queued = records.filter(function (r) { return r.state === "queued"; });
      if (!queued.length) return null;
      $("sync-message").textContent = T.syncing;
      var tally = { n: 0, ok: 0, already: 0, refused: 0, replayed: 0 };
      var answered = [];
      var chain = Promise.resolve();
      for (var i = 0; i < queued.length; i += S.batch) {
        (function (batch) {
          chain = chain.then(function () { return sendBatch(batch, tally); })
            .then(function (done) { answered = answered.concat(done); });
        })(queued.slice(i, i + S.batch));
      }
      return chain.then(function () { return { tally: tally, answered: answered }; },
                        function (error) { error.tally = tally; error.answered = answered; throw error; });
    });
  }

  function afterAnswers(answered) {
    answered.forEach(function (r) {
      if (r.client_id === shown) {
        // The server's answer replaces the first result; a new sound only when it says otherwise.
        var before = $("result").dataset.kind;
        showResult(r, soundOf(view(r).kind) !== soundOf(before));
      }
    });
  }

  function sync() {
    if (syncing) return syncing;
    syncing = runSync().then(function (outcome) {
      backoff = 0; nextTry = 0;
      setLogin(false);
      if (outcome) {
        logSync(outcome.tally);
        afterAnswers(outcome.answered);
      }
      $("sync-message").textContent = "";
      return outcome ? outcome.tally : null;
    }, function (error) {
      if (error.tally && error.tally.n) { logSync(error.tally); afterAnswers(error.answered); }
      if (error instanceof LoginNeeded) {
        setLogin(true);
        nextTry = Date.now() + 30000;  // logging in in another tab is enough: try again now and then
        $("sync-message").textContent = "";
      } else if (error instanceof Gone) {
        nextTry = Date.now() + 60000;
        $("sync-message").textContent = T.session_gone;
      } else {
        backoff = Math.min(backoff ? backoff * 2 : 2000, 60000);
        nextTry = Date.now() + backoff;
        $("sync-message").textContent = fmt(T.retry_in, { s: Math.round(backoff / 1000) });
      }
      return null;
    }).then(function (tally) {
      syncing = null;
      return refresh().then(function () {
        if (tally && tally.n && pendingCount && !nextTry) soon();  // scanned while this upload ran
        return tally;
      });
    });
    return syncing;
  }

  function soon() {
    if (navigator.onLine === false || needLogin) return;
    nextTry = 0;
    setTimeout(function () { if (!syncing) sync(); }, 0);
  }

  function setLogin(needed) {
    needLogin = needed;
    $("relogin").hidden = !needed;
  }

  function setOnline() {
    var online = navigator.onLine !== false;
    var net = $("net");
    net.dataset.online = online ? "yes" : "no";
    net.textContent = online ? T.online : T.offline;
  }

  window.addEventListener("online", function () {
    setOnline();
    backoff = 0; nextTry = 0;
    if (needLogin) { needLogin = false; }
    sync();
  });
  window.addEventListener("offline", setOnline);
  setInterval(function () {
    if (syncing || !pendingCount || navigator.onLine === false || Date.now() < nextTry) return;
    sync();
  }, 1000);

  // --- camera: getUserMedia, rear camera preferred, jsQR on a downscaled frame ----------------

  var stream = null;
  var canvas = document.createElement("canvas");
  var context2d = canvas.getContext("2d", { willReadFrequently: true });
  var lastText = "";
  var lastAt = 0;
  var REPEAT_MS = 3000;  // the same code in front of the camera is one scan

  function frameData(source, width, height, maxSide) {
    var scale = Math.min(1, maxSide / Math.max(width, height));
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    context2d.drawImage(source, 0, 0, canvas.width, canvas.height);
    return context2d.getImageData(0, 0, canvas.width, canvas.height);
  }

  function cameraLoop() {
    if (!stream) return;
    var video = $("video");
    if (video.readyState >= 2 && video.videoWidth) {
      var image = frameData(video, video.videoWidth, video.videoHeight, 720);
      var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (found && found.data && (found.data !== lastText || Date.now() - lastAt > REPEAT_MS)) {
        lastText = found.data;
        lastAt = Date.now();
        decoded(found.data);
      } else if (found && found.data) {
        lastAt = Date.now();
      }
    }
    setTimeout(function () { requestAnimationFrame(cameraLoop); }, 120);
  }

  function startCamera() {
    unlockAudio();
    $("camera-error").hidden = true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      $("camera-error").textContent = T.camera_failed;
      $("camera-error").hidden = false;
      return Promise.resolve(false);
    }
    return navigator.mediaDevices.getUserMedia({
      audio: false, video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
    }).then(function (media) {
      stream = media;
      var video = $("video");
      video.srcObject = media;
      video.setAttribute("playsinline", "");
      $("video-box").hidden = false;
      $("camera-start").hidden = true;
      $("camera-stop").hidden = false;
      return video.play().then(function () { cameraLoop(); return true; });
    }).catch(function () {
      $("camera-error").textContent = T.camera_failed;
      $("camera-error").hidden = false;
      return false;
    });
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    $("video-box").hidden = true;
    $("camera-start").hidden = false;
    $("camera-stop").hidden = true;
  }

  // The camera path on a still image: ImageData, <img>, <canvas>, ImageBitmap, a Blob/File or a
  // URL (a data: URL of a rendered QR in tests). Resolves {text, outcome} or null when no QR.
  function toImageData(source) {
    if (typeof ImageData !== "undefined" && source instanceof ImageData) return Promise.resolve(source);
    if (typeof source === "string") {
      return new Promise(function (resolve, reject) {
        var img = new Image();
        img.onload = function () { resolve(img); };
        img.onerror = function () { reject(new Error("image")); };
        img.src = source;
      }).then(toImageData);
    }
    if (typeof Blob !== "undefined" && source instanceof Blob) return createImageBitmap(source).then(toImageData);
    var width = source.naturalWidth || source.videoWidth || source.width;
    var height = source.naturalHeight || source.videoHeight || source.height;
    var ready = source.decode && source.complete === false ? source.decode() : Promise.resolve();
    return ready.then(function () {
      width = source.naturalWidth || source.videoWidth || source.width;
      height = source.naturalHeight || source.videoHeight || source.height;
      return frameData(source, width, height, 1600);
    });
  }

  function decodeImage(source) {
    return toImageData(source).then(function (image) {
      var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
      if (!found || !found.data) {
        refuseHere({}, T.no_qr);
        return null;
      }
      return decoded(found.data).then(function (outcome) { return { text: found.data, outcome: outcome }; });
    });
  }

  // --- purpose, typed form, buttons -------------------------------------------------------------

  function setPurpose(value) {
    purpose = value === "out" ? "out" : "in";
    localStorage.setItem(PURPOSE_KEY, purpose);
    root.dataset.purpose = purpose;
    document.querySelectorAll(".scanner-purpose button").forEach(function (b) {
      b.setAttribute("aria-pressed", b.dataset.purpose === purpose ? "true" : "false");
    });
  }

  document.querySelectorAll(".scanner-purpose button").forEach(function (b) {
    b.addEventListener("click", function () { unlockAudio(); setPurpose(b.dataset.purpose); });
  });
  $("typed").addEventListener("submit", function (event) {
    event.preventDefault();
    unlockAudio();
    var input = $("id-number");
    var value = input.value;
    typed(value).then(function (outcome) { if (outcome && outcome.client_id) input.value = ""; });
  });
  $("camera-start").addEventListener("click", startCamera);
  $("camera-stop").addEventListener("click", stopCamera);
  $("photo").addEventListener("change", function (event) {
    unlockAudio();
    var file = event.target.files && event.target.files[0];
    if (file) decodeImage(file).catch(function () { refuseHere({}, T.no_qr); });
    event.target.value = "";
  });
  $("sync-now").addEventListener("click", function () { unlockAudio(); backoff = 0; nextTry = 0; sync(); });

  // --- offline: the service worker, and this page in its cache --------------------------------

  var offlineReady = false;
  var PAGES = "basesys-scanner-pages";
  function prepareOffline() {
    if (!("serviceWorker" in navigator) || !window.caches) return Promise.resolve(false);
    // Offline, registering again fails (the worker's script cannot be fetched); the one installed still serves.
    return navigator.serviceWorker.register(S.worker_url, { scope: S.worker_scope })
      .catch(function () { return null; })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function () {
        // The first visit was not served by the worker: put this page in its cache now.
        return caches.open(PAGES).then(function (cache) {
          return fetch(location.pathname, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
            if (response.ok && !response.redirected) return cache.put(location.pathname, response);
          }, function () { return null; }).then(function () { return cache.match(location.pathname); });
        });
      })
      .then(function (cached) {
        offlineReady = !!cached;
        $("offline-ready").hidden = !offlineReady;
        return offlineReady;
      })
      .catch(function () { return false; });
  }

  function requeue(clientIds) {
    return sessionRecords().then(function (records) {
      var again = records.filter(function (r) { return clientIds.indexOf(r.client_id) !== -1; });
      again.forEach(function (r) { r.state = "queued"; });
      return putAll(again).then(function () { return refresh(); }).then(function () { return again.length; });
    });
  }

  setPurpose(purpose);
  setOnline();
  var started = pruneOld().then(refresh).then(function () {
    if (pendingCount) soon();
  });
  var offline = prepareOffline();

  window.basesysScanner = {
    decoded: decoded,
    decodeImage: decodeImage,
    typed: typed,
    sync: sync,
    requeue: requeue,
    records: sessionRecords,
    started: started,
    offline: offline,
    pending: function () { return pendingCount; },
    lastSync: function () { return lastSync; },
    isOfflineReady: function () { return offlineReady; },
    setPurpose: setPurpose,
  };
})();
