// Adds the reader's own time under a meeting's time, when it reads differently from the
// times already shown; the page is complete without it.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var regional = { en: "en-GB", pt: "pt-BR" }[lang] || lang;

  function wallClock(moment, zone) {
    var options = { year: "numeric", month: "2-digit", day: "2-digit",
                    hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    if (zone) { options.timeZone = zone; }
    return new Intl.DateTimeFormat("en-GB", options).format(moment);
  }

  var nodes = document.querySelectorAll("[data-instant]");
  for (var i = 0; i < nodes.length; i++) {
    var node = nodes[i];
    var moment = new Date(node.getAttribute("data-instant"));
    if (isNaN(moment.getTime())) { continue; }
    var zones = (node.getAttribute("data-zones") || "").split(" ");
    var text;
    try {
      var mine = wallClock(moment);
      var shown = false;
      for (var z = 0; z < zones.length; z++) {
        if (zones[z] && wallClock(moment, zones[z]) === mine) { shown = true; }
      }
      if (shown) { continue; }
      text = new Intl.DateTimeFormat(regional, {
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
