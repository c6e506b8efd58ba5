/*
 * The mining speed from samples of GET /json. The workers move the counter
 * about once a second, so the rate between two consecutive samples jumps
 * between 0 and a burst (the course's "not awesome" graph); the rate over a
 * window of several seconds is steady. Plain JS shared by the page
 * (window.DockercoinsSpeed) and its unit test (module.exports).
 */
(function (root) {
  "use strict";

  /**
   * Adds {now, hashes} to `samples` (oldest first) and drops what is older
   * than `windowSeconds` before it. A counter that went back (redis emptied)
   * starts the window afresh; a sample no newer than the last is ignored.
   */
  function addSample(samples, sample, windowSeconds) {
    var last = samples[samples.length - 1];
    if (last && sample.now <= last.now) return;
    if (last && sample.hashes < last.hashes) samples.length = 0;
    samples.push({ now: sample.now, hashes: sample.hashes });
    while (samples.length > 2 && sample.now - samples[1].now >= windowSeconds) samples.shift();
  }

  /** Hashes per second across the samples, or null until they span `minSpanSeconds`. */
  function hashRate(samples, minSpanSeconds) {
    if (samples.length < 2) return null;
    var first = samples[0];
    var last = samples[samples.length - 1];
    var span = last.now - first.now;
    if (span < minSpanSeconds) return null;
    return (last.hashes - first.hashes) / span;
  }

  var api = { addSample: addSample, hashRate: hashRate };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.DockercoinsSpeed = api;
})(this);
