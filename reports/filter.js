// sm-audit report filters: offline, no dependencies. Rows carry data-account,
// data-severity and data-status; the selects narrow the table, the box matches text.
(function () {
  "use strict";
  var table = document.getElementById("findings");
  if (!table) return;
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-status]"));
  var fAccount = document.getElementById("f-account");
  var fSeverity = document.getElementById("f-severity");
  var fStatus = document.getElementById("f-status");
  var fText = document.getElementById("f-text");
  var count = document.getElementById("f-count");
  var texts = rows.map(function (r) { return (r.textContent || "").toLowerCase(); });
  function apply() {
    var a = fAccount ? fAccount.value : "";
    var s = fSeverity ? fSeverity.value : "";
    var st = fStatus ? fStatus.value : "";
    var q = fText ? fText.value.trim().toLowerCase() : "";
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var ok = (!a || r.getAttribute("data-account") === a) &&
        (!s || r.getAttribute("data-severity") === s) &&
        (!st || r.getAttribute("data-status") === st) &&
        (!q || texts[i].indexOf(q) !== -1);
      r.hidden = !ok;
      if (ok) shown++;
    }
    if (count) count.textContent = "showing " + shown + " of " + rows.length + " listed findings";
  }
  [fAccount, fSeverity, fStatus].forEach(function (el) { if (el) el.addEventListener("change", apply); });
  if (fText) fText.addEventListener("input", apply);
  apply();
})();
