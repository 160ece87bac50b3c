/* Report pages. No inline script (CSP script-src 'self'): everything is wired from here.
 *
 * 1. The report form keeps a copy of what is typed in localStorage, keyed by report id and the
 *    version the form was loaded at. If the session expired and the save was bounced to the
 *    login page, reopening the report restores the copy with a notice and a "discard" button.
 *    A copy made on an older version is restored with that older base_version, so saving it
 *    produces the server's side-by-side conflict page instead of silently overwriting.
 *    The copy is cleared after a successful save (the page is then loaded with ?saved=1).
 * 2. Money fields are regrouped as 1.234.567 when leaving the field.
 * 3. The reviewer queue's "select all" checkbox.
 * 4. The report form is sent once: a second click while the first save is on its way would post
 *    the same version again. The server takes such a repeat as the save it already made, but it
 *    need not be sent at all.
 */
(function () {
  "use strict";

  var PREFIX = "greenplan:report:";

  function storage() {
    try {
      var s = window.localStorage, probe = PREFIX + "probe";
      s.setItem(probe, "1");
      s.removeItem(probe);
      return s;
    } catch (e) {
      return null; // private mode or disabled: the page still works, without the safety net
    }
  }

  function fieldsOf(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "base_version" || el.type === "submit") return;
      if (el.type === "radio") {
        if (el.checked) out[el.name] = el.value;
        else if (!(el.name in out)) out[el.name] = "";
      } else {
        out[el.name] = el.value;
      }
    });
    return out;
  }

  function fill(form, values) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in values)) return;
      if (el.type === "radio") el.checked = el.value === values[el.name];
      else el.value = values[el.name];
    });
  }

  function same(a, b) {
    return Object.keys(a).every(function (k) { return (a[k] || "") === (b[k] || ""); });
  }

  function keysFor(store, reportId) {
    var keys = [];
    for (var i = 0; i < store.length; i++) {
      var k = store.key(i);
      if (k && k.indexOf(PREFIX + reportId + ":") === 0) keys.push(k);
    }
    return keys;
  }

  function setupDraft(form) {
    var store = storage();
    if (!store) return;
    var reportId = form.getAttribute("data-report-id");
    var version = form.getAttribute("data-version");
    var key = PREFIX + reportId + ":v" + version;
    var baseInput = form.querySelector("input[name=base_version]");
    var notice = document.getElementById("draft-notice");
    var discard = document.getElementById("draft-discard");
    var original = fieldsOf(form);

    if (form.hasAttribute("data-just-saved")) {
      keysFor(store, reportId).forEach(function (k) { store.removeItem(k); });
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", window.location.pathname + window.location.hash);
      }
    } else if (form.hasAttribute("data-conflict") || form.hasAttribute("data-bound")) {
      // The server sent back what was typed: that is the copy now.
      keysFor(store, reportId).forEach(function (k) { store.removeItem(k); });
    } else {
      var found = keysFor(store, reportId).map(function (k) {
        try { return { key: k, data: JSON.parse(store.getItem(k)) }; } catch (e) { return null; }
      }).filter(function (d) { return d && d.data && d.data.values; })
        .sort(function (a, b) { return (b.data.savedAt || 0) - (a.data.savedAt || 0); })[0];
      if (found && !same(found.data.values, original)) {
        fill(form, found.data.values);
        if (found.data.version !== undefined && String(found.data.version) !== String(version) && baseInput) {
          baseInput.value = found.data.version; // older copy: let the server show the conflict
          key = found.key;
        }
        if (notice) {
          var when = document.getElementById("draft-saved-at");
          if (when && found.data.savedAt) when.textContent = "(" + new Date(found.data.savedAt).toLocaleString("vi-VN") + ")";
          notice.hidden = false;
        }
      }
    }

    if (discard) {
      discard.addEventListener("click", function () {
        keysFor(store, reportId).forEach(function (k) { store.removeItem(k); });
        fill(form, original);
        if (baseInput) baseInput.value = version;
        key = PREFIX + reportId + ":v" + version;
        if (notice) notice.hidden = true;
      });
    }

    var timer = null;
    function keep() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var values = fieldsOf(form);
        try {
          if (same(values, original)) store.removeItem(key);
          else store.setItem(key, JSON.stringify({ values: values, version: baseInput ? baseInput.value : version, savedAt: Date.now() }));
        } catch (e) { /* quota full: nothing more we can do here */ }
      }, 300);
    }
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    window.addEventListener("pagehide", function () { clearTimeout(timer); timer = null; keep(); });

    var submit = document.getElementById("submit-form");
    if (submit) {
      submit.addEventListener("submit", function (ev) {
        if (!same(fieldsOf(form), original) &&
            !window.confirm(submit.getAttribute("data-unsaved") || "Có nội dung chưa lưu. Vẫn gửi bản đã lưu?")) {
          ev.preventDefault();
        }
      });
    }
  }

  function regroup(value) {
    // Only plain digits are regrouped; anything else is left for the server to judge, so
    // "1.5" is never silently turned into fifteen.
    var v = value.trim();
    if (!/^[0-9]+$/.test(v)) return value;
    return v.replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function setupMoney(root) {
    Array.prototype.forEach.call(root.querySelectorAll("input.money"), function (input) {
      input.addEventListener("blur", function () {
        var grouped = regroup(input.value);
        if (grouped !== input.value) {
          input.value = grouped;
          input.dispatchEvent(new Event("input", { bubbles: true }));
        }
      });
    });
  }

  function setupSendOnce(form) {
    var sending = false;
    var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
    function enable(on) {
      Array.prototype.forEach.call(buttons, function (b) {
        b.disabled = !on;
        if (on) b.removeAttribute("aria-busy"); else b.setAttribute("aria-busy", "true");
      });
    }
    form.addEventListener("submit", function (ev) {
      if (sending) {
        ev.preventDefault();
        return;
      }
      sending = true;
      // After this event: a button disabled now would leave its name out of what is sent.
      window.setTimeout(function () { enable(false); }, 0);
    });
    // Back to this page from the browser's history (back/forward cache): it can be sent again.
    window.addEventListener("pageshow", function (ev) {
      if (ev.persisted) {
        sending = false;
        enable(true);
      }
    });
  }

  function setupCheckAll() {
    var all = document.getElementById("check-all");
    if (!all) return;
    all.addEventListener("change", function () {
      Array.prototype.forEach.call(document.querySelectorAll("input[name=report]"), function (box) {
        box.checked = all.checked;
      });
    });
  }

  function init() {
    var form = document.getElementById("report-form");
    if (form) {
      setupDraft(form);
      setupMoney(form);
      setupSendOnce(form);
    }
    setupCheckAll();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
