// Upload drawings: one request per file (a zip is one request), a bar per file and one
// for the batch from the browser's own byte counts, then each drawing's analysis
// followed live over its websocket (polling the API when the socket cannot open).
(function () {
  var zone = document.querySelector("[data-upload]");
  if (!zone) return;
  var labels = JSON.parse(zone.dataset.labels || "{}");
  var list = zone.querySelector(".uploads");
  var batch = zone.querySelector(".batch");
  var batchBar = batch.querySelector("progress"), batchPct = batch.querySelector(".pct");
  var sent = {}, sizes = {};

  function say(key) { return labels[key] || key; }

  function updateBatch() {
    var total = 0, done = 0;
    Object.keys(sizes).forEach(function (k) { total += sizes[k]; done += sent[k] || 0; });
    var pct = total ? Math.round(100 * done / total) : 0;
    batchBar.value = pct; batchPct.textContent = pct + " %";
  }

  function row(name) {
    var li = document.createElement("li");
    li.innerHTML = '<span class="name"></span> <progress max="100" value="0"></progress> ' +
      '<span class="state"></span> <a class="open" hidden></a>';
    li.querySelector(".name").textContent = name;
    list.appendChild(li);
    return li;
  }

  // When every drawing of the batch is finished, the table below shows them (no reload,
  // so the bars above stay readable).
  var following = 0;
  function refreshTable() {
    fetch(location.pathname, { credentials: "same-origin" }).then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-testid=drawing-table]");
        var table = document.querySelector("[data-testid=drawing-table]");
        if (fresh && table) table.replaceWith(fresh);
      });
  }

  function follow(li, drawingId) {
    following += 1;
    var bar = li.querySelector("progress"), state = li.querySelector(".state");
    var link = li.querySelector(".open");
    link.href = "/drawings/" + drawingId + "/"; link.textContent = say("open"); link.hidden = false;
    var finished = false;
    function show(rev) {
      if (!rev || !rev.status) return;
      if (rev.file_name) li.querySelector(".name").textContent = rev.file_name;
      li.dataset.status = rev.status;
      state.textContent = say(rev.status) + (rev.status === "failed" ? ": " + (document.documentElement.lang === "ja" ? rev.error_ja : rev.error_en) : "");
      if (rev.status === "analysing" || rev.status === "queued") { bar.value = rev.progress_pct; }
      if (rev.status === "analysed" || rev.status === "stored" || rev.status === "failed") {
        bar.value = 100;
        if (!finished) { finished = true; following -= 1; if (following === 0) refreshTable(); }
      }
    }
    function poll() {
      if (finished) return;
      fetch("/api/drawings/" + drawingId, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (d) { var r = d.revisions[0] || {}; show({ status: d.status, progress_pct: d.status === "analysing" ? 50 : 0, file_name: r.file_name, error_en: r.error_en, error_ja: r.error_ja }); })
        .finally(function () { if (!finished) setTimeout(poll, 1500); });
    }
    try {
      var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/drawings/" + drawingId + "/");
      ws.onmessage = function (e) { show(JSON.parse(e.data).revision); if (finished) ws.close(); };
      ws.onerror = function () { poll(); };
      ws.onclose = function (e) { if (!finished && e.code !== 4404) poll(); };
    } catch (err) { poll(); }
  }

  function send(file, key) {
    var li = row(file.name);
    var bar = li.querySelector("progress"), state = li.querySelector(".state");
    var isZip = /\.zip$/i.test(file.name);
    var form = new FormData();
    form.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", isZip ? "/api/drawings/zip" : "/api/drawings");
    xhr.setRequestHeader("X-CSRFToken", zone.dataset.csrf);
    xhr.setRequestHeader("Accept", "application/json");
    state.textContent = say("uploading");
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      bar.value = Math.round(100 * e.loaded / e.total);
      sent[key] = file.size * e.loaded / e.total; updateBatch();
    };
    xhr.onload = function () {
      sent[key] = file.size; updateBatch();
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = { detail: xhr.statusText }; }
      if (xhr.status !== 201) {
        li.dataset.status = "refused"; bar.value = 0;
        state.textContent = say("refused") + ": " + (body.detail || xhr.status);
        return;
      }
      bar.value = 100;
      if (isZip) {
        state.textContent = say("uploaded") + " (" + body.drawings.length + ")";
        li.dataset.status = "uploaded";
        body.drawings.forEach(function (id, i) { follow(row(file.name + " #" + (i + 1)), id); });
        (body.skipped || []).forEach(function (s) {
          var r = row(s.name); r.dataset.status = "skipped";
          r.querySelector(".state").textContent = say("skipped") + ": " + s.reason;
        });
      } else {
        follow(li, body.id);
      }
    };
    xhr.onerror = function () { li.dataset.status = "refused"; state.textContent = say("refused"); };
    xhr.send(form);
  }

  function start(files) {
    batch.hidden = false;
    Array.prototype.forEach.call(files, function (file, i) {
      var key = Date.now() + "-" + i;
      sizes[key] = file.size; sent[key] = 0;
      send(file, key);
    });
    updateBatch();
  }

  zone.querySelector("input[type=file]").addEventListener("change", function (e) { start(e.target.files); e.target.value = ""; });
  ["dragenter", "dragover"].forEach(function (t) {
    zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) { start(e.dataTransfer.files); });
})();
