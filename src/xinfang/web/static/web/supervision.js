// The supervisor's view: a bar chart of each department's three rates (R-COUNTY-2).
// Data from the page's <script type="application/json" id="rates-data"> (no inline script).
(function () {
  var node = document.getElementById("rates-data");
  var box = document.getElementById("rates-chart");
  if (!node || !box || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var chart = echarts.init(box);
  chart.setOption({
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "无数据" : v + "%"; } },
    legend: { top: 0 },
    grid: { left: 40, right: 20, bottom: 60, top: 40 },
    xAxis: { type: "category", data: data.departments, axisLabel: { interval: 0, rotate: data.departments.length > 6 ? 30 : 0 } },
    yAxis: { type: "value", min: 0, max: 100 },
    series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
