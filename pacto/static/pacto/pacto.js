/* Pacto's own script. Every page works without it; it only adds conveniences.
 * No inline scripts or handlers anywhere (the content security policy forbids them). */
(function () {
  "use strict";

  // CSS can now hide the buttons that exist only for pages without JavaScript
  // (e.g. "Update the due time"), since htmx updates those parts by itself.
  document.documentElement.classList.add("js");

  // Keep focus where a keyboard or screen-reader user expects it after htmx swaps a region:
  // regions marked data-focus-after-swap receive focus when their content changes.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.hasAttribute("data-focus-after-swap")) {
      target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
    }
  });

  // Chart.js charts: the data comes from a <script type="application/json"> element (not
  // executed, so CSP-safe); the canvas names it in data-chart.
  function drawCharts() {
    if (typeof window.Chart === "undefined") {
      return;
    }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source || canvas.dataset.drawn) {
        return;
      }
      canvas.dataset.drawn = "1";
      var data = JSON.parse(source.textContent);
      var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
      var palette = ["#0b5cad", "#b35c00", "#2e7d32", "#6a3d9a", "#c62828", "#00838f"];
      data.datasets.forEach(function (dataset, i) {
        dataset.backgroundColor = palette[i % palette.length];
        dataset.borderRadius = 3;
        dataset.minBarLength = 3; // a 0 % bar stays visible
      });
      window.Chart.defaults.font.size = 14;
      var ink = dark ? "#e8ebef" : "#1b1f24";
      var grid = dark ? "#38404a" : "#d3d9e0";
      new window.Chart(canvas, {
        type: "bar",
        data: data,
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          scales: {
            y: {
              min: 0,
              max: 100,
              ticks: { color: ink, callback: function (v) { return v + "%"; } },
              grid: { color: grid },
              title: { display: true, text: canvas.getAttribute("data-y-label") || "", color: ink }
            },
            x: { ticks: { color: ink }, grid: { display: false } }
          },
          plugins: {
            legend: { labels: { color: ink } },
            tooltip: {
              callbacks: {
                label: function (context) {
                  var value = context.parsed.y;
                  return context.dataset.label + ": " + (value === null ? "—" : value + "%");
                }
              }
            }
          }
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawCharts);
  } else {
    drawCharts();
  }
})();
