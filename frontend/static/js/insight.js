// Group insight: the charts of the dashboard, drawn with Chart.js from GET /api/insight
// (the same answer the page's tables and the exports are made from). Each canvas names
// its figure in data-chart; a figure with no rows has no canvas.
(function () {
  "use strict";
  var configNode = document.getElementById("insight-config");
  if (!configNode || !window.Chart) return;
  var config = JSON.parse(configNode.textContent);
  var L = config.labels;
  var locale = config.lang === "ja" ? "ja-JP" : "en-GB";
  var PALETTE = ["#2f6fb3", "#e08a2e", "#3a9d5d", "#8e5bb5", "#c0392b", "#1f9aa8", "#b58b00", "#6b7b8c"];
  var TOTAL = "#1d2733";

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  // Figures, not a show: drawn at once (and a screenshot or print shows the final bars).
  Chart.defaults.animation = false;

  function who(r) { return r.total ? L.group_total : r.org; }
  function colour(i, total) { return total ? TOTAL : PALETTE[i % PALETTE.length]; }
  function num(v, digits) {
    return v === null || v === undefined ? "—" : v.toLocaleString(locale, { maximumFractionDigits: digits });
  }
  function pct(v) { return v === null || v === undefined ? null : Math.round(v * 1000) / 10; }

  // The organisations in the rows, in the order they first appear (the total last).
  function orgs(rows) {
    var seen = {}, out = [];
    rows.forEach(function (r) {
      var key = r.total ? "total" : String(r.org_id);
      if (!seen[key]) { seen[key] = true; out.push({ key: key, name: who(r), total: r.total }); }
    });
    return out;
  }
  function keyOf(r) { return r.total ? "total" : String(r.org_id); }

  function percentAxis() {
    return { beginAtZero: true, max: 100, ticks: { callback: function (v) { return v + " %"; } } };
  }

  var charts = {
    work_shared: function (data) {
      var rows = data.work_shared, months = data.period.months;
      var members = orgs(rows).filter(function (o) { return !o.total; });
      if (!members.length) {  // a lead firm: the group's accepted hours per month
        return {
          type: "bar",
          data: { labels: months, datasets: [{
            label: L.accepted_hours + " (" + L.group_total + ")", backgroundColor: TOTAL,
            data: months.map(function (m) {
              var r = rows.find(function (x) { return x.month === m && x.total; });
              return r ? r.hours : 0;
            }) }] },
          options: { scales: { y: { beginAtZero: true } } },
        };
      }
      var datasets = [];
      members.forEach(function (o, i) {
        var mine = months.map(function (m) {
          return rows.find(function (x) { return x.month === m && keyOf(x) === o.key; });
        });
        // Lines over the months: a share and its target stay readable for several shops
        // (grouped bars would hide a target inside its own bar).
        datasets.push({ type: "line", label: o.name, borderColor: colour(i), backgroundColor: colour(i),
          borderWidth: 2.5, pointRadius: 5, pointHoverRadius: 7, order: 2,
          data: mine.map(function (r) { return r ? pct(r.share) : null; }) });
        var target = mine.find(function (r) { return r && r.target_share; });
        if (target) {
          // A dashed line across the months, and a bar-wide mark on each (one month has
          // no line to draw).
          datasets.push({ type: "line", label: o.name + " · " + L.target, borderColor: colour(i),
            backgroundColor: colour(i), borderDash: [6, 4], borderWidth: 2, order: 1,
            pointStyle: "line", pointRadius: 14, pointBorderWidth: 3, pointHoverRadius: 16,
            data: months.map(function () { return pct(target.target_share); }) });
        }
      });
      return { type: "line", data: { labels: months, datasets: datasets },
        options: { scales: { x: { offset: true }, y: percentAxis() }, plugins: {
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + num(c.parsed.y, 1) + " %"; } } },
          title: { display: true, text: L.share } } } };
    },

    on_time: function (data) { return rateChart(data.on_time, L.on_time_rate); },
    win_rate: function (data) { return rateChart(data.win_rate, L.win_rate); },

    turnaround: function (data) {
      var rows = data.turnaround, kinds = ["request_to_order", "offer_to_answer"];
      return {
        type: "bar",
        data: { labels: kinds.map(function (k) { return L[k]; }),
          datasets: orgs(rows).map(function (o, i) {
            return { label: o.name, backgroundColor: colour(i, o.total),
              data: kinds.map(function (k) {
                var r = rows.find(function (x) { return x.kind === k && keyOf(x) === o.key; });
                return r ? r.median_h : null;
              }) };
          }) },
        options: { scales: { y: { beginAtZero: true, title: { display: true, text: L.median_hours } } } },
      };
    },

    load: function (data) {
      // The group's hours per week, stacked by process.
      var rows = data.load.filter(function (r) { return r.total; });
      var processes = [];
      rows.forEach(function (r) { if (processes.indexOf(r.process) < 0) processes.push(r.process); });
      return {
        type: "bar",
        data: { labels: data.period.week_labels, datasets: processes.map(function (p, i) {
          return { label: L.processes[p] || p, backgroundColor: colour(i),
            data: data.period.weeks.map(function (w) {
              var r = rows.find(function (x) { return x.week === w && x.process === p; });
              return r ? r.hours : 0;
            }) };
        }) },
        options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true,
          title: { display: true, text: L.hours } } },
          plugins: { title: { display: true, text: L.group_total } } },
      };
    },

    material_saved: function (data) {
      var rows = data.material_saved || [], months = data.period.months;
      return {
        type: "bar",
        data: { labels: months, datasets: orgs(rows).map(function (o, i) {
          return { label: o.name, backgroundColor: colour(i, o.total),
            data: months.map(function (m) {
              var r = rows.find(function (x) { return x.month === m && keyOf(x) === o.key; });
              return r ? r.saved_jpy : 0;
            }) };
        }) },
        options: { scales: { y: { beginAtZero: true, title: { display: true, text: L.saved },
          ticks: { callback: function (v) { return num(v, 0); } } } } },
      };
    },
  };

  function rateChart(rows, label) {
    return {
      type: "bar",
      data: { labels: rows.map(who), datasets: [{ label: label,
        backgroundColor: rows.map(function (r, i) { return colour(i, r.total); }),
        data: rows.map(function (r) { return pct(r.rate); }) }] },
      options: { indexAxis: "y", scales: { x: percentAxis() }, plugins: { legend: { display: false },
        tooltip: { callbacks: { label: function (c) { return label + ": " + num(c.parsed.x, 1) + " %"; } } } } },
    };
  }

  fetch(config.api, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (data) {
      document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
        var make = charts[canvas.dataset.chart];
        if (!make) return;
        var spec = make(data);
        spec.type = spec.type || "bar";
        new Chart(canvas, spec);
        canvas.dataset.drawn = "1";
      });
      document.body.dataset.insightCharts = "drawn";
    })
    .catch(function () {
      document.querySelectorAll(".insight-chart").forEach(function (box) {
        box.textContent = L.failed;
        box.classList.add("muted");
      });
    });
})();
