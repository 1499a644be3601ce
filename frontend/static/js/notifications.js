// A person's notifications, live: the bell's count and, on the notifications page, the
// list (read again from the server, so it shows what this person may see, in the page's
// language). One socket per page, wherever the bell or the list is.
(function () {
  if (window.kumiaiNotifications) return; // the bell and the page both load this file
  window.kumiaiNotifications = true;
  var list = document.querySelector("[data-notifications-live]");
  var counts = document.querySelectorAll("[data-notifications-count]");
  if (!list && !counts.length) return;
  var pending = false;
  var heard = false; // the count sent on connecting: the page is fresh already

  function showCount(n) {
    counts.forEach(function (el) {
      el.textContent = n;
      el.hidden = !n;
    });
  }
  function refresh() {
    if (!list || pending) return;
    pending = true;
    fetch(list.getAttribute("data-fragment"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { list.innerHTML = html; })
      .catch(function () {})
      .finally(function () { pending = false; });
  }
  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(proto + location.host + "/ws/notifications/");
    ws.onmessage = function (e) {
      var msg = JSON.parse(e.data);
      if (typeof msg.unread === "number") showCount(msg.unread);
      if (msg.type === "notification.new" || heard) refresh();
      heard = true;
    };
    ws.onclose = function (e) { if (e.code !== 4404) setTimeout(connect, 3000); };
  }
  try { connect(); } catch (err) { if (list) setInterval(refresh, 15000); }
})();
