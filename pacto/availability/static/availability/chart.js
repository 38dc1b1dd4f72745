// Each day's operating hours and the minutes lost to outages, one chart per probe.
// The data comes from <script type="application/json"> blocks (json_script): no inline code.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Chart === "undefined") return;
  document.querySelectorAll("canvas[data-availability-chart]").forEach((canvas) => {
    const data = JSON.parse(document.getElementById(canvas.dataset.availabilityChart).textContent);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels.map((d) => d.slice(8)),
        datasets: [
          { label: canvas.dataset.hoursLabel, data: data.operating_hours, yAxisID: "hours" },
          { label: canvas.dataset.lostLabel, data: data.lost_minutes, yAxisID: "minutes", type: "line" },
        ],
      },
      options: {
        animation: false,
        scales: {
          x: { type: "category" },
          hours: { type: "linear", axis: "y", position: "left", beginAtZero: true },
          minutes: {
            type: "linear", axis: "y", position: "right", beginAtZero: true,
            grid: { drawOnChartArea: false },
          },
        },
      },
    });
    canvas.dataset.drawn = "1";
  });
});
