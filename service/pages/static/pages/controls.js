// Time controls: show the record-time slider's value as it moves.  The form works without this.
"use strict";
document.querySelectorAll('input[type="range"]').forEach(function (range) {
  var out = document.getElementById(range.id + "-out");
  if (!out) return;
  range.addEventListener("input", function () { out.value = range.value; });
});
