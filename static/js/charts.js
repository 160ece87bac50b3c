/* Charts: makes the SVG elements that reporting/dashboards/charts.py lists in each chart's
   data-shapes attribute (Drawing.shapes). It knows nothing of charts, only how the list is written:
   {"s": [[tag, {attribute: value shared by every mark of this look}, [names of the mark's own
   attributes]], ...], "m": [[look, own values..., tooltip or 0, text or [inner marks]], ...]}.
   Without JavaScript the page shows each chart's caption and table of figures instead. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function make(parent, marks, looks) {
    marks.forEach(function (mark) {
      var look = looks[mark[0]], names = look[2];
      var el = document.createElementNS(SVG, look[0]);
      Object.keys(look[1]).forEach(function (name) { el.setAttribute(name, look[1][name]); });
      names.forEach(function (name, i) { el.setAttribute(name, mark[i + 1]); });
      var title = mark[names.length + 1], content = mark[names.length + 2];
      if (title) {
        var tip = document.createElementNS(SVG, "title");
        tip.textContent = title;
        el.appendChild(tip);
      }
      if (Array.isArray(content)) make(el, content, looks);
      else if (content !== undefined) el.appendChild(document.createTextNode(content));
      parent.appendChild(el);
    });
  }

  document.querySelectorAll("svg[data-shapes]").forEach(function (svg) {
    var shapes = JSON.parse(svg.getAttribute("data-shapes")), marks = document.createDocumentFragment();
    make(marks, shapes.m, shapes.s);
    svg.appendChild(marks);
    svg.setAttribute("data-drawn", "");
  });
})();
