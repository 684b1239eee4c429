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
    }
  });

  // Capture phase: runs before htmx's own submit listener on the form, so a declined question
  // stops plain and htmx (hx-post) forms alike.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
})();
