// Start a background job from a form, then follow it: websocket first, polling if the
// socket cannot open (a proxy that drops upgrades must not leave the bar stuck).
(function () {
  function follow(box, job) {
    var bar = box.querySelector("progress"), msg = box.querySelector(".job-message");
    var link = box.querySelector(".job-download");
    var labels = JSON.parse(box.dataset.labels || "{}");
    box.hidden = false;
    var done = false;
    function show(j) {
      bar.value = j.progress_pct;
      msg.textContent = (labels[j.status] || j.status) + " " + (j.message || "");
      if (j.status === "succeeded") {
        done = true; link.href = "/jobs/" + j.id + "/download/"; link.hidden = false;
        link.textContent = link.textContent.split(" (")[0] + " (" + (j.result.rows || 0) + ")";
      } else if (j.status === "failed") { done = true; }
    }
    show(job);
    function poll() {
      if (done) return;
      fetch("/api/jobs/" + job.id, { credentials: "same-origin" })
        .then(function (r) { return r.json(); }).then(show)
        .finally(function () { if (!done) setTimeout(poll, 1000); });
    }
    try {
      var proto = location.protocol === "https:" ? "wss://" : "ws://";
      var ws = new WebSocket(proto + location.host + "/ws/jobs/" + job.id + "/");
      ws.onmessage = function (e) { show(JSON.parse(e.data).job); if (done) ws.close(); };
      ws.onerror = function () { poll(); };
      ws.onclose = function (e) { if (!done && e.code !== 4404) poll(); };
    } catch (err) { poll(); }
  }
  document.querySelectorAll("form[data-job-form]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var box = form.parentElement.querySelector("[data-testid=job]");
      fetch(form.action, {
        method: "POST", credentials: "same-origin", body: new FormData(form),
        headers: { "Accept": "application/json" }
      }).then(function (r) { return r.json(); }).then(function (job) { follow(box, job); });
    });
  });
})();
