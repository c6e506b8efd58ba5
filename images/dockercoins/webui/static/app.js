/* The page: polls GET /json, shows the speed over a sliding window and the coins, graphs the speed. */
(function () {
  "use strict";

  var POLL_MS = 500;
  var WINDOW_SECONDS = 5;
  var MIN_SPAN_SECONDS = 2;
  var GRAPH_POINTS = 120;

  var speedText = document.getElementById("speed");
  var coinsText = document.getElementById("coins");
  var statusText = document.getElementById("status");
  var samples = [];

  var chart = new Chart(document.getElementById("graph"), {
    type: "line",
    data: { labels: [], datasets: [{ label: "hashes/second", data: [], borderColor: "#1f6fd1", backgroundColor: "rgba(31,111,209,0.15)", fill: true, pointRadius: 0, tension: 0.2 }] },
    options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
  });

  function show(stats) {
    DockercoinsSpeed.addSample(samples, stats, WINDOW_SECONDS);
    var rate = DockercoinsSpeed.hashRate(samples, MIN_SPAN_SECONDS);
    coinsText.textContent = String(stats.coins);
    if (rate === null) return;
    speedText.textContent = rate.toFixed(2);
    chart.data.labels.push(new Date(stats.now * 1000).toLocaleTimeString());
    chart.data.datasets[0].data.push(rate);
    if (chart.data.labels.length > GRAPH_POINTS) {
      chart.data.labels.shift();
      chart.data.datasets[0].data.shift();
    }
    chart.update();
  }

  function poll() {
    fetch("json", { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("webui answered " + response.status);
        return response.json();
      })
      .then(function (stats) {
        statusText.textContent = "";
        show(stats);
      })
      .catch(function (err) {
        statusText.textContent = "Cannot read the counters: " + err.message;
      })
      .then(function () {
        setTimeout(poll, POLL_MS);
      });
  }

  poll();
})();
