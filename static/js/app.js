/*
 * The product's only behaviour script: plain JavaScript, no build step, loaded by base.html.
 *
 * The Content-Security-Policy (crm/settings/base.py) allows scripts from this site only, so no
 * template may carry an inline <script> or an on*="" handler. Templates declare behaviour with
 * data-* attributes instead, and the listeners below act on them by event delegation from the
 * document, which also covers fragments htmx swaps in later.
 *
 *   <select data-autosubmit>            submits its form when the choice changes
 *   <input type="checkbox" data-select-all>
 *                                       ticks or clears every checkbox in its table's body
 *   <button data-dismiss-row>           empties the table row it sits in (closes a quick form)
 *   <form data-confirm="Question?">     asks window.confirm before submitting; "Cancel" stops it
 *   <button data-confirm="Question?">   the same for one submit button of a form with several
 *   <button data-menu-toggle>           opens and closes the header menu on a phone (.topbar.open)
 *   <div data-checkin>                  外勤签到: its [data-checkin-button] reads the position (after
 *                                       consent) into the form's hidden checkin_* fields
 *   <table class="table">               each body cell gets data-label = its column's header, so
 *                                       a phone shows the rows as cards (app.css); a table that
 *                                       must stay a table carries class="no-cards"
 */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (!field || !field.form) return;
    if (typeof field.form.requestSubmit === "function") {
      field.form.requestSubmit();
    } else {
      field.form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    var all = event.target.closest("input[type=checkbox][data-select-all]");
    if (all) {
      var table = all.closest("table");
      if (!table) return;
      table.querySelectorAll("tbody input[type=checkbox]").forEach(function (box) {
        box.checked = all.checked;
      });
      return;
    }
    var dismiss = event.target.closest("[data-dismiss-row]");
    if (dismiss) {
      var row = dismiss.closest("tr");
      if (row) row.replaceChildren();
      return;
    }
    var toggle = event.target.closest("[data-menu-toggle]");
    if (toggle) {
      var bar = toggle.closest(".topbar");
      if (!bar) return;
      var open = bar.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
  });

  // Phone cards: every body cell learns its column's header text (data-label), which app.css
  // shows in front of the value below 600px. Runs at load and on every fragment htmx swaps in.
  function labelCells(root) {
    var tables = [];
    if (root.matches && root.matches("table.table")) tables.push(root);
    var inside = root.querySelectorAll ? root.querySelectorAll("table.table") : [];
    inside.forEach(function (table) { tables.push(table); });
    var around = root.closest ? root.closest("table.table") : null;
    if (around) tables.push(around);
    tables.forEach(function (table) {
      if (table.classList.contains("no-cards") || !table.tHead) return;
      var headRow = table.tHead.rows[table.tHead.rows.length - 1];
      if (!headRow) return;
      var labels = [];
      Array.prototype.forEach.call(headRow.cells, function (th) {
        // The column's name only: no sort arrows (▲▼⇅) from a sortable heading.
        var text = th.textContent.replace(/[\u25b2\u25bc\u21c5\u2191\u2193]/g, "");
        text = text.replace(/\s+/g, " ").trim();
        for (var span = 0; span < (th.colSpan || 1); span++) labels.push(text);
      });
      var bodies = Array.prototype.slice.call(table.tBodies);
      if (table.tFoot) bodies.push(table.tFoot);
      bodies.forEach(function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            var label = (cell.colSpan || 1) === 1 ? labels[column] : "";
            if (label && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", label);
            column += cell.colSpan || 1;
          });
        });
      });
    });
  }
  labelCells(document);
  document.addEventListener("htmx:load", function (event) {
    labelCells(event.target);
  });

  // Capture phase: runs before htmx's own submit listener on the form, so a declined question
  // stops plain and htmx (hx-post) forms alike.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      // The button pressed may ask its own question (a form with several actions).
      var submitter = event.submitter;
      var asker =
        submitter && submitter.hasAttribute("data-confirm")
          ? submitter
          : form.hasAttribute("data-confirm")
            ? form
            : null;
      if (!asker) return;
      if (!window.confirm(asker.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  // 外勤签到 <div data-checkin data-msg-*> <button data-checkin-button> <span data-checkin-status>:
  // the position is read only when the person presses the button (the browser then asks for
  // consent) and goes into the form's hidden checkin_* fields; the server checks it again.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-checkin-button]");
    if (!button) return;
    var box = button.closest("[data-checkin]");
    var form = button.closest("form");
    var status = box && box.querySelector("[data-checkin-status]");
    if (!box || !form || !status) return;
    if (!navigator.geolocation) {
      status.textContent = box.dataset.msgUnsupported;
      return;
    }
    status.textContent = box.dataset.msgLocating;
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var c = position.coords;
        var values = {
          checkin_latitude: c.latitude.toFixed(6),
          checkin_longitude: c.longitude.toFixed(6),
          checkin_accuracy: String(Math.round(c.accuracy)),
          checkin_at: new Date(position.timestamp || Date.now()).toISOString(),
        };
        Object.keys(values).forEach(function (name) {
          if (form.elements[name]) form.elements[name].value = values[name];
        });
        status.textContent = box.dataset.msgDone
          .replace("{lat}", values.checkin_latitude)
          .replace("{lon}", values.checkin_longitude)
          .replace("{acc}", values.checkin_accuracy);
        box.classList.add("checked-in");
        button.disabled = false;
      },
      function () {
        status.textContent = box.dataset.msgFailed;
        button.disabled = false;
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
    );
  });
})();
