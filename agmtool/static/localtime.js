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

  // The zone named in words ("hora de Colombia", "Horário Padrão de Brasília"), as the
  // other lines name London's, rather than an abbreviation or offset ("BRT", "GMT-5"); a
  // browser that cannot name it so gives what it can.
  var ABBREVIATED = /(^|\s)(GMT|UTC)?[+\u2212-]?[0-9:]*$|(^|\s)[A-Z]{2,5}$/;

  function readerTime(moment) {
    var options = { weekday: "long", day: "numeric", month: "long", year: "numeric",
                    hour: "numeric", minute: "2-digit" };
    var names = ["shortGeneric", "longGeneric", "long", "short"];
    var text = null;
    for (var n = 0; n < names.length; n++) {
      try {
        options.timeZoneName = names[n];
        text = new Intl.DateTimeFormat(regional, options).format(moment);
        if (!ABBREVIATED.test(text)) { return text; }
      } catch (e) { /* try the next way of naming the zone */ }
    }
    return text;
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
      text = readerTime(moment);
    } catch (e) { continue; }
    var line = document.createElement("p");
    line.className = "agm-time agm-yourtime";
    line.textContent = (node.getAttribute("data-label") || "{time}").replace("{time}", text);
    node.appendChild(line);
  }
})();
