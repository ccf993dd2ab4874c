/*
 * The dashboard's page, stylesheet and script, shipped inside the package (no CDN, no build
 * step, no framework): the script draws the chart as inline SVG and fills the tables through
 * textContent only, so no stored value (tags, names) is ever parsed as HTML.
 */

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ACME endpoints · dashboard</title>
<link rel="stylesheet" href="dashboard.css">
<link rel="icon" href="data:,">
<script src="dashboard.js" defer></script>
</head>
<body>
<header><h1>ACME endpoints</h1><button type="button" id="refresh">Refresh</button></header>
<p id="error" class="error" role="alert" hidden></p>
<main>
<section aria-labelledby="certs-heading">
  <h2 id="certs-heading">Certificates</h2>
  <div id="summary" class="cards" data-testid="summary"></div>
  <div class="columns">
    <div><h3>Expiry timeline</h3><div id="timeline" class="buckets"></div></div>
    <div><h3>Renewal status</h3><div id="renewal" class="buckets"></div></div>
  </div>
</section>
<section aria-labelledby="endpoints-heading">
  <h2 id="endpoints-heading">Endpoints</h2>
  <table id="endpoints"><thead><tr><th>Name</th><th>Status</th><th>Directory URL</th></tr></thead><tbody></tbody></table>
</section>
<section aria-labelledby="endpoint-title">
  <h2>Monitoring: <span id="endpoint-title">no endpoint</span></h2>
  <label>Period <select id="period"><option value="60">minute</option><option value="3600" selected>hour</option><option value="86400">day</option></select></label>
  <span id="chart-totals"></span>
  <div class="legend"><span class="success">CertificateIssuanceSuccess</span> <span class="failed">CertificateIssuanceFailed</span></div>
  <svg id="chart" viewBox="0 0 720 220" role="img" aria-label="Issuance success and failure over time"></svg>
  <h3>Settings</h3>
  <dl id="settings"></dl>
</section>
<section aria-labelledby="inventory-heading">
  <h2 id="inventory-heading">Inventory</h2>
  <form id="filters">
    <label>Endpoint <select id="filter-endpoint"><option value="">All endpoints</option></select></label>
    <label>Status <select id="filter-status"><option value="">any</option><option value="valid">valid</option><option value="expired">expired</option><option value="revoked">revoked</option></select></label>
    <label>Expiring within (days) <input id="filter-expiring" type="number" min="0" step="1"></label>
    <label>Tag key <input id="filter-tag-key"></label>
    <label>Tag value <input id="filter-tag-value"></label>
    <button type="submit">Filter</button>
  </form>
  <table id="certificates"><thead><tr><th>Serial</th><th>Names</th><th>Endpoint</th><th>Not after</th><th>Days left</th><th>Status</th><th>Renewal</th><th>Tags</th></tr></thead><tbody></tbody></table>
  <button type="button" id="more" hidden>Load more</button>
</section>
</main>
</body>
</html>
`;

export const DASHBOARD_CSS = `body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2430; background: #f5f6f8; }
header { display: flex; align-items: center; justify-content: space-between; padding: 10px 20px; background: #232f3e; color: #fff; }
header h1 { font-size: 18px; margin: 0; }
main { padding: 10px 20px; }
section { background: #fff; border: 1px solid #d5dbe3; border-radius: 6px; padding: 12px 16px; margin-bottom: 14px; }
h2 { font-size: 16px; margin: 0 0 10px; }
h3 { font-size: 13px; margin: 10px 0 6px; color: #545b64; }
.cards { display: flex; gap: 12px; }
.card { border: 1px solid #d5dbe3; border-radius: 6px; padding: 8px 14px; min-width: 90px; }
.card .value { display: block; font-size: 22px; font-weight: 600; }
.card .label { color: #545b64; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 20px; }
.bucket { display: grid; grid-template-columns: 90px 1fr 40px; align-items: center; gap: 6px; margin: 3px 0; }
.bucket .bar { display: block; height: 10px; background: #0972d3; border-radius: 2px; min-width: 1px; }
.expiry-expired .bar, .renewal-overdue .bar { background: #d91515; }
.expiry-within7Days .bar, .renewal-due .bar { background: #e07f00; }
.bucket .value { text-align: right; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e9ebed; }
tr.selected { background: #f1f8ff; }
.mono { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all; }
.link { background: none; border: none; color: #0972d3; cursor: pointer; padding: 0; font: inherit; }
.status-ACTIVE, .status-valid, .renewal-current, .renewal-renewed { color: #037f0c; }
.status-FAILED, .status-expired, .status-revoked, .renewal-overdue, .renewal-revoked { color: #d91515; }
.renewal-due { color: #b35b00; }
#chart { width: 100%; max-width: 720px; height: auto; border: 1px solid #e9ebed; }
#chart .axis { stroke: #879596; }
#chart .tick { font-size: 10px; fill: #545b64; }
#chart .series { fill: none; stroke-width: 2; }
#chart .series.success { stroke: #037f0c; } #chart .point.success { fill: #037f0c; }
#chart .series.failed { stroke: #d91515; } #chart .point.failed { fill: #d91515; }
.legend .success { color: #037f0c; } .legend .failed { color: #d91515; }
dl { display: grid; grid-template-columns: 200px 1fr; gap: 2px 10px; }
dt { color: #545b64; } dd { margin: 0; }
form { display: flex; flex-wrap: wrap; gap: 10px; align-items: end; margin-bottom: 8px; }
.error { background: #fff0f0; color: #d91515; padding: 8px 20px; margin: 0; }
`;

export const DASHBOARD_JS = `// acme-endpoints dashboard: plain DOM, no framework; every value goes in through textContent.
(function () {
  "use strict";
  var DAY = 86400000;
  var state = { endpoints: [], selected: null, period: 3600, nextToken: null };

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (var k in attrs || {}) node.setAttribute(k, String(attrs[k]));
    return node;
  }
  function api(path) {
    return fetch("api/" + path, { headers: { accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.message || "HTTP " + r.status);
        return body;
      });
    });
  }
  function query(params) {
    var parts = [];
    for (var k in params) if (params[k] !== undefined && params[k] !== null && params[k] !== "") parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(params[k]));
    return parts.length ? "?" + parts.join("&") : "";
  }
  function showError(error) {
    var box = $("error");
    box.textContent = "Could not load: " + error.message;
    box.hidden = false;
  }

  function loadSummary() {
    var endpointId = $("filter-endpoint").value;
    return api("summary" + query({ endpointId: endpointId })).then(function (s) {
      var cards = $("summary");
      cards.textContent = "";
      [["total", "Certificates", s.total], ["valid", "Valid", s.byStatus.valid], ["expired", "Expired", s.byStatus.expired], ["revoked", "Revoked", s.byStatus.revoked]].forEach(function (c) {
        var card = el("div", { class: "card", "data-testid": "summary-" + c[0], "data-count": c[2] });
        card.appendChild(el("span", { class: "value" }, c[2]));
        card.appendChild(el("span", { class: "label" }, c[1]));
        cards.appendChild(card);
      });
      drawBuckets($("timeline"), [["expired", "Expired", s.expiry.expired], ["within7Days", "< 7 days", s.expiry.within7Days], ["within30Days", "< 30 days", s.expiry.within30Days], ["within60Days", "< 60 days", s.expiry.within60Days], ["later", "Later", s.expiry.later]], "expiry");
      drawBuckets($("renewal"), [["renewed", "Renewed", s.renewal.renewed], ["current", "Current", s.renewal.current], ["due", "Due", s.renewal.due], ["overdue", "Overdue", s.renewal.overdue], ["revoked", "Revoked", s.renewal.revoked]], "renewal");
    });
  }

  function drawBuckets(target, buckets, kind) {
    target.textContent = "";
    var max = Math.max.apply(null, buckets.map(function (b) { return b[2]; }).concat([1]));
    buckets.forEach(function (b) {
      var row = el("div", { class: "bucket " + kind + "-" + b[0], "data-bucket": b[0], "data-count": b[2] });
      row.appendChild(el("span", { class: "label" }, b[1]));
      var bar = el("span", { class: "bar" });
      bar.style.width = Math.round((b[2] / max) * 100) + "%";
      row.appendChild(bar);
      row.appendChild(el("span", { class: "value" }, b[2]));
      target.appendChild(row);
    });
  }

  function loadEndpoints() {
    return api("endpoints").then(function (body) {
      state.endpoints = body.endpoints;
      var tbody = $("endpoints").querySelector("tbody");
      tbody.textContent = "";
      var select = $("filter-endpoint");
      var kept = select.value;
      select.textContent = "";
      select.appendChild(el("option", { value: "" }, "All endpoints"));
      body.endpoints.forEach(function (e) {
        var row = el("tr", { "data-endpoint-id": e.id });
        var nameCell = el("td");
        var link = el("button", { type: "button", class: "link", "data-action": "select-endpoint" }, e.name || e.id);
        link.addEventListener("click", function () { selectEndpoint(e.id); });
        nameCell.appendChild(link);
        row.appendChild(nameCell);
        row.appendChild(el("td", { class: "status status-" + e.status }, e.status));
        row.appendChild(el("td", { class: "mono" }, e.directoryUrl));
        tbody.appendChild(row);
        select.appendChild(el("option", { value: e.id }, e.name || e.id));
      });
      select.value = kept;
      if (!state.selected && body.endpoints.length > 0) return selectEndpoint(body.endpoints[0].id);
    });
  }

  function selectEndpoint(id) {
    state.selected = id;
    var endpoint = state.endpoints.find(function (e) { return e.id === id; });
    $("endpoint-title").textContent = endpoint ? (endpoint.name || endpoint.id) : id;
    document.querySelectorAll("#endpoints tbody tr").forEach(function (row) {
      row.classList.toggle("selected", row.getAttribute("data-endpoint-id") === id);
    });
    var settings = $("settings");
    settings.textContent = "";
    if (endpoint) {
      var s = endpoint.settings;
      [["Status", endpoint.status], ["Directory URL", endpoint.directoryUrl], ["Authorization", s.authorizationBehavior], ["Contact", s.contact], ["External account binding", s.externalAccountBinding], ["Key algorithms", (s.certificateAuthority.allowedKeyAlgorithms || []).join(", ") || "any"], ["Certificate tags", s.certificateTags.map(function (t) { return t.key + "=" + t.value; }).join(", ") || "none"]].forEach(function (pair) {
        settings.appendChild(el("dt", null, pair[0]));
        settings.appendChild(el("dd", { "data-setting": pair[0] }, pair[1]));
      });
    }
    return loadChart();
  }

  function loadChart() {
    if (!state.selected) return Promise.resolve();
    var period = state.period;
    var to = new Date(Math.ceil(Date.now() / (period * 1000)) * period * 1000);
    var from = new Date(to.getTime() - 48 * period * 1000);
    return api("endpoints/" + encodeURIComponent(state.selected) + "/metrics" + query({ period: period, from: from.toISOString(), to: to.toISOString() })).then(drawChart);
  }

  function drawChart(series) {
    var chart = $("chart");
    chart.textContent = "";
    chart.setAttribute("data-endpoint-id", series.endpointId);
    chart.setAttribute("data-success-total", series.totals.success);
    chart.setAttribute("data-failed-total", series.totals.failed);
    var width = 720, height = 220, left = 36, bottom = 24, top = 10;
    var points = series.points;
    var max = Math.max.apply(null, points.map(function (p) { return Math.max(p.success, p.failed); }).concat([1]));
    var step = (width - left - 10) / Math.max(points.length - 1, 1);
    var x = function (i) { return left + i * step; };
    var y = function (v) { return top + (height - top - bottom) * (1 - v / max); };
    chart.appendChild(svg("line", { x1: left, y1: y(0), x2: width - 10, y2: y(0), class: "axis" }));
    var label = svg("text", { x: 4, y: y(max) + 4, class: "tick" });
    label.textContent = String(max);
    chart.appendChild(label);
    [["success", "CertificateIssuanceSuccess"], ["failed", "CertificateIssuanceFailed"]].forEach(function (m) {
      var line = svg("polyline", { class: "series " + m[0], "data-metric": m[1], fill: "none", points: points.map(function (p, i) { return x(i) + "," + y(p[m[0]]); }).join(" ") });
      chart.appendChild(line);
      points.forEach(function (p, i) {
        var dot = svg("circle", { class: "point " + m[0], cx: x(i), cy: y(p[m[0]]), r: p[m[0]] > 0 ? 3.5 : 1.5, "data-metric": m[1], "data-start": p.start, "data-count": p[m[0]] });
        var title = svg("title", {});
        title.textContent = m[1] + " " + p.start + ": " + p[m[0]];
        dot.appendChild(title);
        chart.appendChild(dot);
      });
    });
    [0, Math.floor(points.length / 2), points.length - 1].forEach(function (i) {
      if (!points[i]) return;
      var t = svg("text", { x: x(i) - 30, y: height - 6, class: "tick" });
      t.textContent = new Date(points[i].start).toISOString().slice(5, 16).replace("T", " ");
      chart.appendChild(t);
    });
    $("chart-totals").textContent = "Success " + series.totals.success + " · Failed " + series.totals.failed;
  }

  function loadCertificates(more) {
    var params = {
      endpointId: $("filter-endpoint").value,
      status: $("filter-status").value,
      expiringWithinDays: $("filter-expiring").value,
      tagKey: $("filter-tag-key").value,
      tagValue: $("filter-tag-value").value,
      pageSize: 50,
      nextToken: more ? state.nextToken : null,
    };
    return api("certificates" + query(params)).then(function (page) {
      var tbody = $("certificates").querySelector("tbody");
      if (!more) tbody.textContent = "";
      page.certificates.forEach(function (c) {
        var row = el("tr", { "data-serial": c.serial, "data-status": c.status, "data-renewal": c.renewalStatus });
        row.appendChild(el("td", { class: "mono" }, c.serial));
        row.appendChild(el("td", { "data-field": "identifiers" }, c.identifiers.map(function (i) { return i.value; }).join(", ")));
        var endpoint = state.endpoints.find(function (e) { return e.id === c.endpointId; });
        row.appendChild(el("td", null, endpoint ? (endpoint.name || endpoint.id) : c.endpointId + (c.endpointDeleted ? " (deleted)" : "")));
        row.appendChild(el("td", null, c.notAfter.slice(0, 10)));
        row.appendChild(el("td", { "data-field": "daysLeft" }, c.daysLeft));
        row.appendChild(el("td", { class: "status status-" + c.status, "data-field": "status" }, c.status));
        row.appendChild(el("td", { class: "renewal renewal-" + c.renewalStatus, "data-field": "renewal" }, c.renewalStatus));
        row.appendChild(el("td", null, c.tags.map(function (t) { return t.key + "=" + t.value; }).join(", ")));
        tbody.appendChild(row);
      });
      state.nextToken = page.nextToken || null;
      $("more").hidden = !state.nextToken;
      $("certificates").setAttribute("data-rows", tbody.children.length);
    });
  }

  function refresh() {
    $("error").hidden = true;
    document.body.removeAttribute("data-ready");
    return loadEndpoints()
      .then(function () { return Promise.all([loadSummary(), loadCertificates(false)]); })
      .then(function () { document.body.setAttribute("data-ready", "true"); })
      .catch(showError);
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("period").addEventListener("change", function (event) {
      state.period = Number(event.target.value);
      loadChart().catch(showError);
    });
    $("filters").addEventListener("submit", function (event) {
      event.preventDefault();
      Promise.all([loadSummary(), loadCertificates(false)]).catch(showError);
    });
    $("more").addEventListener("click", function () { loadCertificates(true).catch(showError); });
    $("refresh").addEventListener("click", function () { refresh(); });
    refresh();
  });
})();
`;
