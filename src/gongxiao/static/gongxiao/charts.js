// Charts of the reports pages, drawn with the bundled ECharts from the JSON the page carries
// (no inline script, for the content security policy). A click on a point, bar or slice opens
// the rows behind it.
(function () {
  const data = document.getElementById("charts-data");
  if (!data || typeof echarts === "undefined") return;
  const charts = [];
  for (const spec of JSON.parse(data.textContent)) {
    const el = document.getElementById(spec.id);
    if (!el) continue;
    const chart = echarts.init(el, null, { renderer: "canvas" });
    let option;
    if (spec.type === "pie") {
      const s = spec.series[0];
      option = {
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        legend: { type: "scroll", bottom: 0 },
        series: [{
          type: "pie",
          radius: ["35%", "65%"],
          data: spec.labels.map((name, i) => ({ name, value: s.values[i], url: s.urls[i] })),
        }],
      };
    } else {
      option = {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 40, right: 16, top: 32, bottom: spec.type === "bar" ? 70 : 40 },
        xAxis: {
          type: "category",
          data: spec.labels,
          axisLabel: { rotate: spec.type === "bar" ? 30 : 0, hideOverlap: true },
        },
        yAxis: { type: "value", minInterval: 1 },
        series: spec.series.map((s) => ({
          name: s.name,
          type: spec.type,
          smooth: spec.type === "line",
          data: s.values.map((value, i) => ({ value, url: s.urls[i] })),
        })),
      };
    }
    chart.setOption(option);
    chart.on("click", (p) => {
      if (p.data && p.data.url) window.location.href = p.data.url;
    });
    el.dataset.ready = "1";
    charts.push(chart);
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
