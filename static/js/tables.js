// On a phone the tables stack each row's cells (app.css); each cell then carries its column's
// heading, so "5", "1", "0%" still say what they count. One script for every table of the portal.
document.querySelectorAll("table.table").forEach(function (table) {
  var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
    return th.textContent.trim();
  });
  table.querySelectorAll("tbody tr, tfoot tr").forEach(function (row) {
    Array.prototype.forEach.call(row.children, function (cell, i) {
      if (heads[i] && !cell.hasAttribute("data-label") && i > 0) cell.setAttribute("data-label", heads[i]);
    });
  });
});
