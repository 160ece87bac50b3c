/* Dashboards: client-side sorting of tables marked .sortable, and the province report job's
   progress (polls a small JSON endpoint). Loaded as a static file: the CSP forbids inline script. */
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    var raw = cell.getAttribute("data-sort");
    if (raw === null) raw = cell.textContent.trim();
    var number = parseFloat(raw.replace(/\./g, "").replace(",", ".").replace("%", ""));
    return isNaN(number) || /[^\d.,%\s-]/.test(raw) ? raw.toLocaleLowerCase("vi") : number;
  }

  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, index) {
      if (th.querySelector("a")) return;  // server-sorted column
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent.trim();
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index), y = cellValue(b, index);
          var result = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "vi");
          return ascending ? result : -result;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function pollJob(box) {
    var url = box.getAttribute("data-status-url");
    var status = document.getElementById("job-status");
    var message = document.getElementById("job-message");
    var bar = document.getElementById("job-progress");
    var percent = document.getElementById("job-percent");
    var download = document.getElementById("job-download");
    var retry = document.getElementById("job-retry");
    function tick() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          status.textContent = data.status_label;
          message.textContent = data.message;
          bar.value = data.progress;
          percent.textContent = data.progress + "%";
          if (data.download) download.hidden = false;
          if (data.retry && retry) retry.hidden = false;  // failed, or its worker stopped: may be run again
          if (!data.finished) window.setTimeout(tick, 1500);
        })
        .catch(function () { window.setTimeout(tick, 5000); });
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
    var job = document.getElementById("job");
    if (job && job.getAttribute("data-finished") !== "1") pollJob(job);
  });
})();
