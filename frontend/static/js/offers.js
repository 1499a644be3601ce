// The offers inbox, live: on each event of this organisation's offers the list is read
// again from the server (so what is shown is always what this person may see).
(function () {
  var box = document.querySelector("[data-offers-live]");
  if (!box) return;
  var pending = false;
  function refresh() {
    if (pending) return;
    pending = true;
    fetch("/offers/list/", { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) { box.innerHTML = html; })
      .finally(function () { pending = false; });
  }
  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(proto + location.host + "/ws/offers/");
    ws.onmessage = refresh;
    ws.onclose = function (e) { if (e.code !== 4404) setTimeout(connect, 2000); };
  }
  try { connect(); } catch (err) { setInterval(refresh, 5000); }
})();
