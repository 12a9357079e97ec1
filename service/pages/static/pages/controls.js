// Time controls.  The form works without this script; with it:
// - the record-time slider's value is shown as it moves;
// - after Back (or Forward) the browser may restore the values a control was left at while
//   the page says another: every control is set back to what the page was made for;
// - "Show" (and "Find") send only what was asked: an empty field or choice, and the slider at the
//   log's head (everything recorded), are left out of the address, so a shared link keeps
//   following the log.
"use strict";
(function () {
  var forms = document.querySelectorAll("form.controls");

  function showValue(range) {
    var out = document.getElementById(range.id + "-out");
    if (out) out.value = range.value;
  }

  function restore() {
    forms.forEach(function (form) {
      form.querySelectorAll("input").forEach(function (input) {
        if (input.type === "checkbox" || input.type === "radio") input.checked = input.defaultChecked;
        else if (input.type !== "hidden") input.value = input.defaultValue;
        if (input.type === "range") showValue(input);
      });
      form.querySelectorAll("select").forEach(function (select) {
        Array.prototype.forEach.call(select.options, function (o) { o.selected = o.defaultSelected; });
      });
      form.querySelectorAll("[disabled][data-left-out]").forEach(function (input) {
        input.disabled = false;
        input.removeAttribute("data-left-out");
      });
    });
  }

  forms.forEach(function (form) {
    form.querySelectorAll('input[type="range"]').forEach(function (range) {
      range.addEventListener("input", function () { showValue(range); });
    });
    form.addEventListener("submit", function () {
      form.querySelectorAll("input[name], select[name]").forEach(function (input) {
        var atHead = input.type === "range" && input.value === input.max;
        var blank = input.type !== "range" && input.type !== "hidden" && input.type !== "checkbox" && input.value === "";
        if (atHead || blank) {
          input.disabled = true; // a disabled control is not sent
          input.setAttribute("data-left-out", "");
        }
      });
    });
  });

  // pageshow fires on a first load and on a page restored from the back/forward cache
  window.addEventListener("pageshow", restore);
})();
