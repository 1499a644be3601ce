// A drawing still being analysed: follow it over its websocket and show the finished
// page when the analysis ends (polling the API when the socket cannot open).
(function () {
  var box = document.querySelector("[data-live-drawing]");
  if (!box) return;
  var id = box.dataset.liveDrawing, bar = box.querySelector("progress"), state = box.querySelector(".state");
  var done = false;
  function show(rev) {
    if (!rev || !rev.status) return;
    bar.value = rev.progress_pct || bar.value;
    state.textContent = rev.status;
    if (["analysed", "failed", "stored"].indexOf(rev.status) >= 0 && !done) { done = true; location.reload(); }
  }
  function poll() {
    if (done) return;
    fetch("/api/drawings/" + id, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (d) { show({ status: d.status }); })
      .finally(function () { if (!done) setTimeout(poll, 2000); });
  }
  try {
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/drawings/" + id + "/");
    ws.onmessage = function (e) { show(JSON.parse(e.data).revision); };
    ws.onerror = function () { poll(); };
    ws.onclose = function (e) { if (!done && e.code !== 4404) poll(); };
  } catch (err) { poll(); }
})();
