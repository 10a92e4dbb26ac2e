// Venue screens (/screens/{slug}). The server pushes fresh panels over the
// websocket (hx-ws, which reconnects by itself); this script keeps the
// screen right when nothing arrives, for hours if need be: the clock ticks
// in club time, "now" and "next" move on by each show's data-start and
// data-end, the progress bar grows, and the announcements rotate. Once a
// day it reloads to pick up new assets, but only when /healthz answers, so
// an offline screen never reloads into an error page.
(function () {
  "use strict";

  var grid = document.querySelector(".screen__grid");
  if (!grid) return;
  var zone = grid.dataset.zone || "UTC";
  var lang = grid.dataset.lang || document.documentElement.lang || "en";
  var rotate = Math.max(5, parseInt(grid.dataset.rotate, 10) || 20) * 1000;
  var clockFmt;
  try {
    clockFmt = new Intl.DateTimeFormat(lang, { timeZone: zone, hour: "2-digit", minute: "2-digit" });
  } catch (e) {
    clockFmt = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" });
  }
  var hourFmt = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", hourCycle: "h23" });

  function tickClock(now) {
    var el = document.getElementById("screen-clock");
    if (!el) return;
    var text = clockFmt.format(now);
    if (el.textContent !== text) el.textContent = text;
    el.setAttribute("datetime", now.toISOString());
  }

  function span(el) {
    return { start: Date.parse(el.dataset.start), end: Date.parse(el.dataset.end) };
  }

  // advance marks each show by the clock: the first on now is current,
  // the first to start after now is next, those over are past.
  function advance(now) {
    var t = now.getTime();
    var current = null;
    document.querySelectorAll("#screen-current .screen-event").forEach(function (el) {
      var s = span(el);
      var on = !current && s.start <= t && t < s.end;
      if (on) current = el;
      el.classList.toggle("is-current", on);
      if (on) {
        var bar = el.querySelector("progress");
        if (bar) bar.value = Math.round(((t - s.start) * 1000) / (s.end - s.start));
      }
    });
    var seenCurrent = false, seenNext = false;
    document.querySelectorAll("#screen-next .screen-next__item").forEach(function (el) {
      var s = span(el);
      var past = s.end <= t;
      var cur = !past && !seenCurrent && s.start <= t;
      var next = !past && !cur && !seenNext && s.start > t;
      if (cur) seenCurrent = true;
      if (next) seenNext = true;
      el.classList.toggle("is-past", past);
      el.classList.toggle("is-current", cur);
      el.classList.toggle("is-next", next);
    });
  }

  var shown = 0;
  function rotateAnnouncements() {
    var lines = document.querySelectorAll("#screen-announcements .screen-ann__line");
    if (lines.length === 0) return;
    shown = (shown + 1) % lines.length;
    lines.forEach(function (el, i) { el.classList.toggle("is-active", i === shown); });
  }

  // The daily reload: at about 05:00 club time, plus a random minute so
  // a room full of screens does not ask at once.
  var reloadMinute = Math.floor(Math.random() * 60);
  var lastReloadDay = null;
  var loadedAt = Date.now();
  function maybeReload(now) {
    // A page loaded within the hour was just reloaded (or just opened).
    if (now.getTime() - loadedAt < 3600 * 1000) return;
    var hour = parseInt(hourFmt.format(now), 10);
    var day = now.toISOString().slice(0, 10);
    if (hour !== 5 || now.getUTCMinutes() !== reloadMinute || lastReloadDay === day) return;
    lastReloadDay = day;
    fetch("/healthz", { cache: "no-store" }).then(function (res) {
      if (res.ok) window.location.reload();
    }, function () { /* offline: try again tomorrow */ });
  }

  function tick() {
    var now = new Date();
    tickClock(now);
    advance(now);
    maybeReload(now);
  }

  // A pushed panel arrives with the server's marks; put them right at once.
  document.addEventListener("htmx:after:swap", tick);
  document.addEventListener("htmx:afterSwap", tick);
  tick();
  setInterval(tick, 1000);
  setInterval(rotateAnnouncements, rotate);
})();
