// Zoom (wheel), pan (drag), fit (double-click) and the time axis. The
// bars are in the SVG already; this only moves the plot and labels the
// axis. The page's state is in body[data-status]: "ready", or "error" with
// the message in body[data-error].
(function () {
  var body = document.body;
  window.onerror = function (message) {
    body.setAttribute("data-status", "error");
    body.setAttribute("data-error", String(message));
  };
  var svg = document.getElementById("timeline");
  var plot = document.getElementById("plot");
  var axis = document.getElementById("axis");
  var labelW = +svg.getAttribute("data-label-width");
  var plotW = +svg.getAttribute("data-plot-width");
  var height = +svg.getAttribute("height");
  var endNs = +body.getAttribute("data-end-ns") || 1;
  var k = 1, tx = labelW;

  function width() { return svg.getBoundingClientRect().width || 1200; }

  // The smallest of 1, 2, 5 times a power of ten at least x.
  function nice(x) {
    var p = Math.pow(10, Math.floor(Math.log10(x)));
    var m = x / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  function label(ns, step) {
    var units = [[1e9, "s"], [1e6, "ms"], [1e3, "µs"], [1, "ns"]];
    for (var i = 0; i < units.length; i++) {
      if (step >= units[i][0] / 10 || i === units.length - 1) {
        if (ns === 0) return "0";
        var v = ns / units[i][0];
        var digits = Math.max(0, Math.ceil(-Math.log10(step / units[i][0]) - 1e-9));
        return v.toFixed(Math.min(digits, 9)) + units[i][1];
      }
    }
  }

  function draw() {
    plot.setAttribute("transform", "translate(" + tx + ",0) scale(" + k + ",1)");
    var w = width();
    var n0 = Math.max(0, (labelW - tx) / k / plotW * endNs);
    var n1 = (w - tx) / k / plotW * endNs;
    var step = nice(Math.max((n1 - n0) / 8, 1));
    var parts = [];
    for (var t = Math.ceil(n0 / step) * step; t <= n1; t += step) {
      var x = (tx + t / endNs * plotW * k).toFixed(1);
      parts.push('<line class="tick" x1="' + x + '" x2="' + x + '" y1="18" y2="' + height + '"/>' +
        '<text class="tick-label" x="' + (+x + 3) + '" y="14">' + label(t, step) + "</text>");
    }
    axis.innerHTML = parts.join("");
  }

  function fit() {
    k = Math.max((width() - labelW - 24) / plotW, 1e-6);
    tx = labelW + 10;
    draw();
  }

  svg.addEventListener("wheel", function (e) {
    e.preventDefault();
    var mx = e.clientX - svg.getBoundingClientRect().left;
    var at = (mx - tx) / k;
    k = Math.min(Math.max(k * Math.exp(-e.deltaY * 0.002), 1e-6), 1e12);
    tx = mx - at * k;
    draw();
  }, { passive: false });
  var dragFrom = null;
  svg.addEventListener("mousedown", function (e) { dragFrom = [e.clientX, tx]; });
  window.addEventListener("mousemove", function (e) {
    if (dragFrom) { tx = dragFrom[1] + e.clientX - dragFrom[0]; draw(); }
  });
  window.addEventListener("mouseup", function () { dragFrom = null; });
  svg.addEventListener("dblclick", fit);
  window.addEventListener("resize", draw);
  fit();
  body.setAttribute("data-status", "ready");
})();
