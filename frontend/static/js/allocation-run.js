// Follow an allocation run live: phase, progress, and the best plan so far (how many
// lines each shop holds in it). Websocket first, polling if the socket cannot open. When
// the run is done the page reloads once to show the proposal rendered by the server.
(function () {
  var box = document.querySelector("[data-live-run]");
  if (!box) return;
  var id = box.dataset.liveRun;
  var labels = JSON.parse(document.getElementById("run-labels").textContent);
  var bar = box.querySelector("progress"), pct = box.querySelector(".pct");
  var phase = box.querySelector(".phase"), best = box.querySelector(".best");
  var list = box.querySelector(".live-shops"), done = false;
  function show(r) {
    bar.value = r.progress_pct; pct.textContent = r.progress_pct + " %";
    phase.textContent = labels[r.phase] || r.phase || r.status;
    if (r.live && r.live.by_shop) {
      best.textContent = (labels.best || "") + " ¥" + Math.round(r.live.objective || 0).toLocaleString() +
        " · " + Object.keys(r.live.placed).length + " " + (labels.lines || "") +
        (r.live.late ? " · " + r.live.late + " " + (labels.late || "") : "");
      list.innerHTML = "";
      Object.keys(r.live.by_shop).sort().forEach(function (s) {
        var li = document.createElement("li");
        li.dataset.shop = s; li.textContent = s + ": " + r.live.by_shop[s];
        list.appendChild(li);
      });
    }
    if (r.status === "done" || r.status === "failed") {
      if (!done) { done = true; location.reload(); }
    }
  }
  function poll() {
    if (done) return;
    fetch("/api/allocation-runs/" + id, { credentials: "same-origin" })
      .then(function (r) { return r.json(); }).then(show)
      .finally(function () { if (!done) setTimeout(poll, 1000); });
  }
  try {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(proto + location.host + "/ws/allocation-runs/" + id + "/");
    ws.onmessage = function (e) { show(JSON.parse(e.data).run); };
    ws.onerror = function () { poll(); };
    ws.onclose = function (e) { if (!done && e.code !== 4404) poll(); };
  } catch (err) { poll(); }
})();
