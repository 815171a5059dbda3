// Adds the reader's own time under a meeting's time; the page is complete without it.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var here;
  try { here = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  var nodes = document.querySelectorAll("[data-instant]");
  for (var i = 0; i < nodes.length; i++) {
    var node = nodes[i];
    var zones = (node.getAttribute("data-zones") || "").split(" ");
    if (!here || zones.indexOf(here) !== -1) { continue; }
    var moment = new Date(node.getAttribute("data-instant"));
    if (isNaN(moment.getTime())) { continue; }
    var text;
    try {
      text = new Intl.DateTimeFormat(lang, {
        weekday: "long", day: "numeric", month: "long", year: "numeric",
        hour: "numeric", minute: "2-digit", timeZoneName: "short"
      }).format(moment);
    } catch (e) { continue; }
    var line = document.createElement("p");
    line.className = "agm-time agm-yourtime";
    line.textContent = (node.getAttribute("data-label") || "{time}").replace("{time}", text);
    node.appendChild(line);
  }
})();
