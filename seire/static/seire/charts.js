/* Seire charts: draws every Vega-Lite spec on the page with the vendored vega-embed.
 *
 * A chart is a `<div data-chart-spec="ID">` whose spec (and number locale) is in
 * `<script type="application/json" id="ID">` — data, not code, so the page needs no inline
 * script. Vega's expressions are interpreted (`ast: true`) rather than compiled with
 * `new Function`, so a Content-Security-Policy without 'unsafe-eval' holds; no <style>
 * element is added either. Until a chart is drawn, and without JavaScript, its fallback (a
 * server-rendered SVG or a pointer to the table of the same numbers) stands in.
 */
(function () {
  "use strict";

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart-spec"));
    if (!source || typeof window.vegaEmbed !== "function") return;
    var payload = JSON.parse(source.textContent);
    var options = {
      actions: false,
      ast: true,
      renderer: "svg",
      formatLocale: payload.formatLocale,
      // No <style> elements injected either: the tooltip is styled in scorecard.css.
      defaultStyle: false,
      tooltip: { disableDefaultStyle: true },
    };
    window.vegaEmbed(canvas, payload.spec, options).then(function () {
      var fallback = document.querySelector('[data-chart-fallback="' + canvas.id + '"]');
      if (fallback) fallback.hidden = true;
      canvas.classList.add("chart__canvas--drawn");
    }).catch(function (error) {
      // The fallback stays in place; the error is for whoever looks at the console.
      if (window.console) window.console.error("chart " + canvas.id + ":", error);
    });
  }

  function drawAll() {
    var canvases = document.querySelectorAll("[data-chart-spec]");
    for (var i = 0; i < canvases.length; i++) draw(canvases[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
