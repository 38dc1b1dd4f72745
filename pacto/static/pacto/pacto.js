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
  // ------------------------------------------------------------------ console: live pages

  // The ticket page's poll says whether this agent is replying (the reply box holds text).
  document.addEventListener("htmx:configRequest", function (event) {
    var element = event.detail.elt;
    if (element && element.id === "ticket-live") {
      var box = document.querySelector("#reply-form textarea");
      event.detail.parameters.activity = box && box.value.trim() ? "replying" : "viewing";
    }
  });

  // The queue's table is not redrawn while the agent has tickets ticked for a bulk action.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail.elt;
    if (element && element.id === "queue-table" &&
        element.querySelector("input[name=tickets]:checked")) {
      event.preventDefault();
    }
  });

  // A new notification: a browser notification too, when the agent allowed them.
  // (The event's target is the element the swap replaced: the count is read from the page.)
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var target = event.detail.target;
    var bell = document.getElementById("bell-count");
    if (!target || target.id !== "bell-count" || !bell || !("Notification" in window)) {
      return;
    }
    var count = parseInt(bell.textContent, 10) || 0;
    var seen = parseInt(sessionStorage.getItem("pacto-bell") || "0", 10);
    sessionStorage.setItem("pacto-bell", String(count));
    if (count > seen && Notification.permission === "granted") {
      new Notification("Pacto", { body: bell.closest("a").getAttribute("title") + ": " + count });
    }
  });
  document.addEventListener("click", function (event) {
    var bell = event.target.closest && event.target.closest(".bell");
    if (bell && "Notification" in window && Notification.permission === "default") {
      Notification.requestPermission();
    }
  });

  // Keyboard shortcuts (listed on "?"): j / k next and previous ticket, r reply, n note,
  // a assign to me, / search. Never while typing in a field.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey ||
        (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)))) {
      return;
    }
    var key = event.key;
    var dialog = document.getElementById("shortcuts");
    if (key === "?" && dialog && dialog.showModal) {
      event.preventDefault();
      dialog.showModal();
      return;
    }
    if (key === "r" || key === "n") {
      var box = document.querySelector("#reply-form textarea");
      var choice = document.querySelector('#reply-form input[name=visibility][value="' +
        (key === "r" ? "public" : "internal") + '"]');
      if (box) {
        event.preventDefault();
        if (choice) { choice.checked = true; }
        box.focus();
      }
      return;
    }
    var element = document.querySelector('[data-shortcut="' + key.replace(/"/g, "") + '"]');
    if (!element) {
      return;
    }
    event.preventDefault();
    if (element.tagName === "INPUT") {
      element.focus();
    } else {
      element.click();
    }
  });

  // While a person's time zone is a guess (their organization's, or the installation's), the
  // page names where to send the browser's; the server keeps a zone the person chose. No
  // reload: the next page shows times in the new zone. A zone the server refused is not sent
  // again from this tab.
  var zoneUrl = document.body.getAttribute("data-browser-zone-url");
  var zone = zoneUrl && window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && window.fetch && sessionStorage.getItem("pacto-zone-refused") !== zone) {
    var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
    fetch(zoneUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrf },
      body: new URLSearchParams({ time_zone: zone }),
      credentials: "same-origin",
      keepalive: true // a click to the next page does not cancel it
    }).then(function (response) {
      if (response.status === 422) {
        sessionStorage.setItem("pacto-zone-refused", zone);
      }
    }).catch(function () {});
  }
})();
