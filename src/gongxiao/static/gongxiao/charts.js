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
    // On a phone the slices' labels would be cut at the edges: the legend names them there.
    const narrow = el.clientWidth < 480;
    let option;
    if (spec.type === "pie") {
      const s = spec.series[0];
      option = {
        // Tooltips drawn on the canvas: ECharts' HTML tooltips carry inline styles, which the
        // content security policy refuses.
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)", renderMode: "richText" },
        legend: { type: "scroll", bottom: 0 },
        series: [{
          type: "pie",
          radius: narrow ? ["30%", "58%"] : ["35%", "65%"],
          center: ["50%", "45%"],
          avoidLabelOverlap: true,
          label: { show: !narrow, overflow: "break", width: 96 },
          labelLine: { show: !narrow },
          data: spec.labels.map((name, i) => ({ name, value: s.values[i], url: s.urls[i] })),
        }],
      };
    } else {
      option = {
        tooltip: { trigger: "axis", renderMode: "richText" },
        legend: { top: 0, type: "scroll" },
        grid: {
          left: 8, right: 16, top: 32, bottom: 8, containLabel: true,
        },
        xAxis: {
          type: "category",
          data: spec.labels,
          axisLabel: {
            rotate: spec.type === "bar" || narrow ? 30 : 0,
            hideOverlap: true,
            width: 90,
            overflow: "truncate",
          },
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
