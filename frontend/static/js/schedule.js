// The shared schedule: a Gantt of the operations GET /api/schedule gives the caller (so
// the page shows exactly the caller's view), by shop › machine or by order › line, with
// filters and the lines at risk of finishing late. Live: a message on /ws/schedule/
// triggers a refresh; while there is no socket the page re-reads the API every few
// seconds. Either way the Gantt is updated in place, never by a reload.
//
// Also the load per shop and week (GET /api/schedule/load, one small Chart.js chart per
// shop and the same numbers as a table), re-read with the schedule; and moves by hand:
// an operation the person may move is dragged to another time (or, by shop and machine,
// another machine of its shop and process) and POSTed to /api/operations/{id}/move. The
// endpoint checks the move; a refusal puts the operation back and says why.
(function () {
  var root = document.querySelector("[data-schedule]");
  if (!root || !window.vis) return;
  var cfg = JSON.parse(document.getElementById("schedule-config").textContent);
  var L = cfg.labels;
  var form = root.querySelector("form");
  var ganttBox = document.getElementById("schedule-gantt");
  var emptyBox = root.querySelector("[data-testid=schedule-empty]");
  var statusBox = root.querySelector("[data-testid=schedule-status]");
  var shownBox = root.querySelector("[data-testid=shown-count]");
  var riskRows = document.querySelector("[data-testid=late-risk-rows]");
  var riskEmpty = document.querySelector("[data-testid=late-risk-empty]");
  var moveError = root.querySelector("[data-testid=move-error]");
  var moveStatus = root.querySelector("[data-testid=move-status]");
  var loadCharts = document.querySelector("[data-testid=load-charts]");
  var loadEmpty = document.querySelector("[data-testid=load-empty]");
  var loadTable = document.querySelector("[data-testid=load-table]");

  var items = new vis.DataSet(), groups = new vis.DataSet();
  var timeline = null, ops = [], opsById = {}, machines = {}, groupSig = "", fitted = false;
  var live = false, loading = false, again = false, pollTimer = null, lastOk = null, failed = false;

  // -- dates: shop calendars run on the server's clock, so every date is shown in it.
  var DAY_MS = 86400000, SNAP_MS = 600000;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  var offsetStr = (cfg.utc_offset_min < 0 ? "-" : "+") +
    pad(Math.floor(Math.abs(cfg.utc_offset_min) / 60)) + ":" + pad(Math.abs(cfg.utc_offset_min) % 60);
  var partsFmt = new Intl.DateTimeFormat("en-US", {
    timeZone: cfg.tz, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });
  function parts(iso) {
    var p = {};
    partsFmt.formatToParts(new Date(iso)).forEach(function (x) { p[x.type] = x.value; });
    return p;
  }
  function localDay(iso) { var p = parts(iso); return p.year + "-" + p.month + "-" + p.day; }
  function shortTime(iso) { var p = parts(iso); return p.month + "-" + p.day + " " + p.hour + ":" + p.minute; }
  function dayNumber(ymd) { var a = ymd.split("-"); return Date.UTC(+a[0], a[1] - 1, +a[2]) / DAY_MS; }
  function dueEnd(ymd) { return new Date(new Date(ymd + "T00:00:00" + offsetStr).getTime() + DAY_MS); }

  function fmt(s, vars) { return s.replace(/%\((\w+)\)s/g, function (_, k) { return vars[k]; }); }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // -- filters, kept in the address so a filtered view can be shared or reloaded.
  var params = new URLSearchParams(location.search);
  form.elements.view.value = params.get("view") === "order" ? "order" : "machine";
  form.elements.late.checked = params.get("late") === "1";
  var wanted = { shop: params.get("shop") || "", order: params.get("order") || "" };
  function filters() {
    return {
      view: form.elements.view.value, shop: form.elements.shop.value,
      order: form.elements.order.value, late: form.elements.late.checked
    };
  }
  function saveFilters(f) {
    var q = new URLSearchParams();
    if (f.view === "order") q.set("view", "order");
    if (f.shop) q.set("shop", f.shop);
    if (f.order) q.set("order", f.order);
    if (f.late) q.set("late", "1");
    var s = q.toString();
    history.replaceState(null, "", location.pathname + (s ? "?" + s : ""));
  }
  function fillSelect(select, values, allLabel, keep) {
    var current = keep !== undefined ? keep : select.value;
    select.innerHTML = "";
    select.appendChild(new Option(allLabel, ""));
    values.forEach(function (v) { select.appendChild(new Option(v, v)); });
    select.value = values.indexOf(current) >= 0 ? current : "";
  }
  function uniq(list) { return list.filter(function (v, i) { return list.indexOf(v) === i; }).sort(); }

  // -- lines: a line is at risk when its last operation ends after its due date.
  function lines(rows) {
    var by = {};
    rows.forEach(function (op) {
      var l = by[op.line] || (by[op.line] = {
        line: op.line, order: op.order, part: op.part_number, due: op.due_date,
        shops: [], end: op.end, late: false
      });
      if (l.shops.indexOf(op.shop) < 0) l.shops.push(op.shop);
      if (new Date(op.end) > new Date(l.end)) l.end = op.end;
      l.late = l.late || op.late;
    });
    return Object.keys(by).map(function (k) {
      var l = by[k];
      l.daysLate = dayNumber(localDay(l.end)) - dayNumber(l.due);
      l.late = l.late || l.daysLate > 0;
      return l;
    });
  }

  // -- the Gantt
  // Who may drag what is only a hint for the page: the move endpoint decides.
  function movable(op) {
    if (op.started || op.done) return false;
    return cfg.move === "any" || (cfg.move === "own" && op.shop === cfg.org);
  }
  function itemFor(op, view) {
    var canMove = movable(op);
    var cls = "op" + (op.late ? " late" : "") + (op.started ? " started" : "") +
      (op.done ? " done" : "") + (op.pinned ? " pinned" : "") + (canMove ? " movable" : "");
    var text = view === "order" ? op.process + " · " + op.shop + " › " + op.machine
      : op.line + " " + op.process;
    var tip = [
      "<b>" + esc(op.line) + "</b> " + esc(op.part_number),
      esc(op.process) + " · " + esc(op.shop) + " › " + esc(op.machine),
      esc(shortTime(op.start)) + " – " + esc(shortTime(op.end)),
      esc(L.due) + " " + esc(op.due_date) + (op.late ? " · <b>" + esc(L.late) + "</b>" : "") +
        (op.started ? " · " + esc(L.started) : "") + (op.done ? " · " + esc(L.done) : "") +
        (op.pinned ? " · " + esc(L.pinned) : "")
    ].join("<br>");
    return {
      id: op.id, group: view === "order" ? "l:" + op.line : "m:" + op.machine_id,
      start: op.start, end: op.end, content: esc(text), title: tip, className: cls, type: "range",
      // By order a row is a line, not a machine: only the time can change there.
      editable: canMove ? { updateTime: true, updateGroup: view === "machine", remove: false } : false
    };
  }
  function groupsFor(rows, view) {
    var top = [], children = {}, seen = {};
    rows.forEach(function (op) {
      var parent = view === "order" ? op.order : op.shop;
      var childId = view === "order" ? "l:" + op.line : "m:" + op.machine_id;
      if (!children[parent]) { children[parent] = []; top.push(parent); }
      if (!seen[childId]) {
        seen[childId] = {
          id: childId, content: esc(view === "order" ? op.line + " " + op.part_number : op.machine),
          sort: view === "order" ? op.line : op.machine
        };
        children[parent].push(childId);
      }
    });
    top.sort();
    var out = [], n = 0;
    top.forEach(function (p) {
      var kids = children[p].map(function (id) { return seen[id]; });
      kids.sort(function (a, b) { return a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0; });
      out.push({ id: (view === "order" ? "o:" : "s:") + p, content: esc(p), order: n++, treeLevel: 1,
        nestedGroups: kids.map(function (k) { return k.id; }) });
      kids.forEach(function (k) { out.push({ id: k.id, content: k.content, order: n++, treeLevel: 2 }); });
    });
    return out;
  }
  function dueItems(lineRows) {
    return lineRows.map(function (l) {
      var start = dueEnd(l.due);
      return { id: "due:" + l.line, group: "l:" + l.line, type: "background", className: "due",
        start: start, end: new Date(start.getTime() + 365 * DAY_MS) };
    });
  }
  function ensureTimeline() {
    if (timeline) return;
    timeline = new vis.Timeline(ganttBox, items, groups, {
      locale: cfg.lang,
      moment: function (d) { return vis.moment(d).utcOffset(cfg.utc_offset_min); },
      orientation: { axis: "top", item: "top" },
      stack: true,
      margin: { item: { horizontal: 0, vertical: 4 } },
      groupOrder: "order",
      maxHeight: 620,
      verticalScroll: true,
      horizontalScroll: true,
      zoomKey: "ctrlKey",
      zoomMin: 3600 * 1000,
      zoomMax: 180 * DAY_MS,
      selectable: true,
      // Per item (itemFor): only what the person may move; nothing is added or removed.
      editable: { add: false, remove: false, updateTime: false, updateGroup: false, overrideItems: false },
      itemsAlwaysDraggable: { item: true, range: false },
      // Ten-minute steps, whatever the zoom (the scale's own steps would snap to midnight).
      snap: function (date) { return Math.round(date / SNAP_MS) * SNAP_MS; },
      onMoving: onMoving,
      onMove: onMove,
      tooltip: { followMouse: true, overflowMethod: "cap" }
    });
  }
  function replaceAll(ds, rows) {
    var keep = {};
    rows.forEach(function (r) { keep[r.id] = true; });
    ds.remove(ds.getIds().filter(function (id) { return !keep[id]; }));
    ds.update(rows);
  }

  function render() {
    var f = filters();
    saveFilters(f);
    var allLines = lines(ops), riskByLine = {};
    allLines.forEach(function (l) { if (l.late) riskByLine[l.line] = true; });
    var rows = ops.filter(function (op) {
      return (!f.shop || op.shop === f.shop) && (!f.order || op.order === f.order) &&
        (!f.late || riskByLine[op.line]);
    });
    var shownLines = lines(rows);

    var g = groupsFor(rows, f.view);
    var sig = f.view + "|" + g.map(function (x) { return x.id + ":" + (x.nestedGroups || []).join(","); }).join(";");
    var its = rows.map(function (op) { return itemFor(op, f.view); });
    if (f.view === "order") its = its.concat(dueItems(shownLines));
    ensureTimeline();
    if (sig !== groupSig) {
      // Another set of groups: rebuild, since vis-timeline does not re-nest groups in place.
      items.clear(); groups.clear();
      groups.add(g); items.add(its);
      groupSig = sig;
    } else {
      groups.update(g.map(function (x) { return { id: x.id, content: x.content, order: x.order }; }));
      replaceAll(items, its);
    }
    if (!fitted && rows.length) { timeline.fit({ animation: false }); fitted = true; }

    ganttBox.hidden = rows.length === 0;
    emptyBox.hidden = rows.length !== 0;
    emptyBox.textContent = ops.length ? L.nothing_matches : L.empty;
    shownBox.textContent = fmt(L.shown, { n: rows.length });
    renderRisk(shownLines);
  }

  function renderRisk(lineRows) {
    var risky = lineRows.filter(function (l) { return l.late; });
    risky.sort(function (a, b) { return b.daysLate - a.daysLate || (a.due < b.due ? -1 : 1); });
    riskRows.innerHTML = "";
    risky.forEach(function (l) {
      var tr = document.createElement("tr");
      tr.className = "late";
      tr.dataset.line = l.line;
      [l.line, l.part, l.shops.join("、"), shortTime(l.end), l.due, fmt(L.days_late, { n: l.daysLate })]
        .forEach(function (v, i) {
          var td = document.createElement("td");
          if (i === 5) td.className = "num";
          td.textContent = v;
          tr.appendChild(td);
        });
      tr.addEventListener("click", function () { showLine(l.line); });
      tr.style.cursor = "pointer";
      riskRows.appendChild(tr);
    });
    riskEmpty.hidden = risky.length !== 0;
    riskEmpty.textContent = L.no_risk;
  }
  function showLine(line) {
    var ids = ops.filter(function (op) { return op.line === line; }).map(function (op) { return op.id; })
      .filter(function (id) { return items.get(id); });
    if (!ids.length) return;
    timeline.setSelection(ids);
    timeline.focus(ids);
    ganttBox.scrollIntoView({ behavior: "smooth", block: "nearest" });
  }

  // -- moves by hand
  function onMoving(item, callback) {
    var op = opsById[item.id];
    if (!op) { callback(null); return; }
    // The length is the operation's: only where it starts changes.
    var length = new Date(op.end) - new Date(op.start);
    item.end = new Date(new Date(item.start).getTime() + length);
    // Another machine only of the same shop and process; else it stays on its own.
    var home = "m:" + op.machine_id;
    if (String(item.group).indexOf("m:") === 0 && item.group !== home) {
      var m = machines[String(item.group).slice(2)];
      if (!m || m.shop !== op.shop || !m.processes[op.process]) item.group = home;
    } else if (filters().view === "machine") {
      item.group = home;
    }
    callback(item);
  }
  function csrfToken() {
    var found = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return found ? decodeURIComponent(found[1]) : cfg.csrf;
  }
  function refusal(status, body) {
    if (body && body.errors) {
      var msgs = [];
      Object.keys(body.errors).forEach(function (k) { msgs = msgs.concat(body.errors[k]); });
      if (msgs.length) return msgs.join(" ");
    }
    if (body && body.detail && body.detail !== "invalid input") return body.detail;
    return null;
  }
  function showMoveError(text) {
    moveError.querySelector(".msg").textContent = text;
    moveError.hidden = false;
  }
  function hideMoveError() { moveError.hidden = true; }
  moveError.querySelector("button").addEventListener("click", hideMoveError);

  function onMove(item, callback) {
    var op = opsById[item.id];
    if (!op) { callback(null); return; }
    var view = filters().view;
    var target = view === "machine" && String(item.group).indexOf("m:") === 0
      ? Number(String(item.group).slice(2)) : op.machine_id;
    var start = new Date(item.start);
    if (start.getTime() === new Date(op.start).getTime() && target === op.machine_id) {
      callback(null);
      return;
    }
    hideMoveError();
    moveStatus.textContent = fmt(L.moving, { line: op.line });
    var status = 0;
    fetch(cfg.move_api.replace("{id}", op.id), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ start: start.toISOString(), machine_id: target !== op.machine_id ? target : null })
    })
      .then(function (r) {
        status = r.status;
        return r.json().catch(function () { return null; });
      })
      .then(function (body) {
        if (status === 200 && body && body.id === op.id) {
          ops = ops.map(function (o) { return o.id === body.id ? body : o; });
          opsById[body.id] = body;
          callback(itemFor(body, view));
          moveStatus.textContent = fmt(L.moved, { line: op.line });
          // The move can shift what follows it: read the whole view again.
          refreshSoon();
          return;
        }
        callback(null);
        moveStatus.textContent = "";
        var why = refusal(status, body);
        if (status === 404) why = why && why !== "not found" ? why : L.move_not_found;
        showMoveError(why && (status === 422 || status === 409 || status === 403 || status === 404)
          ? fmt(L.move_refused, { reason: why }) : L.move_failed);
      })
      .catch(function () {
        callback(null);
        moveStatus.textContent = "";
        showMoveError(L.move_failed);
      });
  }

  // -- the load per shop and week
  var load = null, charts = {}, loadLoading = false, loadAgain = false;
  var num = new Intl.NumberFormat(cfg.lang === "ja" ? "ja-JP" : "en-GB", { maximumFractionDigits: 1 });
  var pct = new Intl.NumberFormat(cfg.lang === "ja" ? "ja-JP" : "en-GB", { style: "percent", maximumFractionDigits: 1 });
  if (window.Chart) Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  function monthDay(ymd) { var a = ymd.split("-"); return (+a[1]) + "/" + (+a[2]); }
  function overAt(s, k) { return s.capacity_h !== null && s.planned_h[k] > s.capacity_h[k] + 1e-9; }
  function sum(list) { return list.reduce(function (a, b) { return a + b; }, 0); }

  function chartFor(s, labels, weeks) {
    var data = {
      labels: labels,
      datasets: [{
        type: "bar", label: L.planned_h, data: s.planned_h, order: 2,
        backgroundColor: s.planned_h.map(function (_, k) { return overAt(s, k) ? "#c0392b" : "#5b8fd0"; })
      }]
    };
    if (s.capacity_h !== null) {
      data.datasets.push({
        type: "line", label: L.capacity_h, data: s.capacity_h, order: 1, stepped: "middle",
        borderColor: "#1d2733", borderWidth: 2, borderDash: [5, 3], pointRadius: 0, fill: false
      });
    }
    return {
      type: "bar", data: data,
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: function (items) { return weeks[items[0].dataIndex]; },
              label: function (c) { return c.dataset.label + ": " + fmt(L.hours, { n: num.format(c.parsed.y) }); }
            }
          }
        },
        scales: {
          x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true } },
          y: { beginAtZero: true, ticks: { precision: 0 } }
        }
      }
    };
  }
  function headingNote(s) {
    if (s.capacity_h === null) return { text: fmt(L.hours, { n: num.format(sum(s.planned_h)) }), over: false };
    var cap = sum(s.capacity_h);
    var over = s.planned_h.some(function (_, k) { return overAt(s, k); });
    if (!cap) return { text: fmt(L.hours, { n: num.format(sum(s.planned_h)) }), over: over };
    return { text: fmt(L.load_pct, { pct: pct.format(sum(s.planned_h) / cap) }), over: over };
  }
  function renderLoad() {
    if (!load) return;
    var f = filters();
    var shops = load.shops.filter(function (s) { return !f.shop || s.shop === f.shop; });
    var labels = load.week_starts.map(monthDay);
    var weeks = load.weeks.map(function (w, k) { return w + " · " + fmt(L.week_of, { date: labels[k] }); });
    var keep = {};
    shops.forEach(function (s, i) {
      keep[s.shop_id] = true;
      var c = charts[s.shop_id];
      if (!c) {
        var box = document.createElement("div");
        box.className = "load-chart";
        box.dataset.shop = s.shop;
        box.innerHTML = '<h3><span class="name"></span><span class="muted note"></span></h3><div class="canvas"><canvas></canvas></div>';
        c = charts[s.shop_id] = { box: box, chart: null };
        if (window.Chart) c.chart = new Chart(box.querySelector("canvas"), chartFor(s, labels, weeks));
      } else if (c.chart) {
        var fresh = chartFor(s, labels, weeks);
        c.chart.data.labels = fresh.data.labels;
        c.chart.data.datasets = fresh.data.datasets;
        c.chart.options.plugins.tooltip.callbacks.title = fresh.options.plugins.tooltip.callbacks.title;
        c.chart.update("none");
      }
      c.box.querySelector(".name").textContent = s.shop;
      var note = headingNote(s);
      c.box.querySelector(".note").textContent = note.text;
      c.box.querySelector(".note").classList.toggle("over", note.over);
      if (loadCharts.children[i] !== c.box) loadCharts.insertBefore(c.box, loadCharts.children[i] || null);
    });
    Object.keys(charts).forEach(function (id) {
      if (keep[id]) return;
      if (charts[id].chart) charts[id].chart.destroy();
      charts[id].box.remove();
      delete charts[id];
    });
    loadEmpty.hidden = shops.length !== 0;
    loadEmpty.textContent = L.load_empty;
    renderLoadTable(shops, labels, load.weeks);
  }
  function renderLoadTable(shops, labels, weeks) {
    var head = loadTable.tHead.rows[0];
    while (head.cells.length > 1) head.deleteCell(1);
    labels.forEach(function (label, k) {
      var th = document.createElement("th");
      th.scope = "col";
      th.className = "num";
      th.title = weeks[k];
      th.textContent = fmt(L.week_col, { date: label });
      head.appendChild(th);
    });
    var body = loadTable.tBodies[0];
    body.innerHTML = "";
    shops.forEach(function (s) {
      var tr = document.createElement("tr");
      tr.dataset.shop = s.shop;
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = s.shop;
      tr.appendChild(th);
      s.planned_h.forEach(function (h, k) {
        var td = document.createElement("td");
        td.className = "num" + (overAt(s, k) ? " over" : "");
        td.textContent = s.capacity_h === null ? num.format(h)
          : num.format(h) + " / " + num.format(s.capacity_h[k]);
        if (overAt(s, k)) td.title = L.over;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    loadTable.hidden = shops.length === 0;
  }
  function refreshLoad() {
    if (loadLoading) { loadAgain = true; return; }
    loadLoading = true;
    fetch(cfg.load_api, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (body) { load = body; renderLoad(); })
      .catch(function () {
        if (!load) { loadEmpty.hidden = false; loadEmpty.textContent = L.load_failed; }
      })
      .finally(function () {
        loadLoading = false;
        if (loadAgain) { loadAgain = false; refreshLoad(); }
      });
  }

  // -- loading and staying current
  function showStatus() {
    var mode = failed ? "failed" : live ? "live" : "polling";
    statusBox.dataset.mode = mode;
    var text = failed ? L.failed : live ? L.live : fmt(L.polling, { n: cfg.poll_s });
    if (lastOk && !failed) {
      var t = lastOk.toLocaleTimeString(cfg.lang, { timeZone: cfg.tz, hour12: false });
      text += " · " + fmt(L.updated, { time: t });
    }
    statusBox.querySelector(".text").textContent = text;
  }
  function refresh() {
    refreshLoad();
    if (loading) { again = true; return; }
    loading = true;
    fetch(cfg.api, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (body) {
        ops = body.operations || [];
        opsById = {}; machines = {};
        ops.forEach(function (op) {
          opsById[op.id] = op;
          var m = machines[op.machine_id] || (machines[op.machine_id] = { shop: op.shop, processes: {} });
          m.processes[op.process] = true;
        });
        fillSelect(form.elements.shop, uniq(ops.map(function (op) { return op.shop; })), L.all_shops, wanted.shop);
        fillSelect(form.elements.order, uniq(ops.map(function (op) { return op.order; })), L.all_orders, wanted.order);
        wanted = {};
        failed = false; lastOk = new Date();
        render();
      })
      .catch(function () { failed = true; })
      .finally(function () {
        loading = false;
        showStatus();
        if (again) { again = false; refresh(); }
      });
  }
  // Changes come in bursts (a re-plan moves many operations): one refresh per burst.
  var burst = null;
  function refreshSoon() {
    if (burst) return;
    burst = setTimeout(function () { burst = null; refresh(); }, 250);
  }
  function poll() {
    clearTimeout(pollTimer);
    if (live) return;
    pollTimer = setTimeout(function () {
      if (!document.hidden) refresh();
      poll();
    }, cfg.poll_s * 1000);
  }
  var retryS = cfg.poll_s;
  function connect() {
    var ws;
    try {
      ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + cfg.ws);
    } catch (err) { poll(); return; }
    ws.onopen = function () { live = true; retryS = cfg.poll_s; clearTimeout(pollTimer); refresh(); };
    ws.onmessage = refreshSoon;
    ws.onclose = function () {
      var was = live;
      live = false;
      showStatus();
      poll();
      // Reconnect, slower each time the socket does not open (e.g. no such route yet).
      setTimeout(connect, (was ? cfg.poll_s : retryS) * 1000);
      if (!was) retryS = Math.min(retryS * 2, 300);
    };
  }

  form.addEventListener("change", function () { if (ops) render(); renderLoad(); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
  refresh();
  poll();
  connect();
})();
