// The overview's live list: follows GET /v1/events/stream (Server-Sent Events) and puts each new
// development at the top of the list, without reloading the page.  Without JavaScript the list is
// still there, as rendered by the server.
"use strict";
(function () {
  var status = document.getElementById("live-status");
  var list = document.getElementById("live-list");
  if (!status || !list || !window.EventSource) return;
  var after = parseInt(status.getAttribute("data-after"), 10) || 0;
  var stream = status.getAttribute("data-stream");
  var source = null;
  var delay = 2000;
  var KEEP = 50;

  function say(text) { status.textContent = text; }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function show(d) {
    if (d.position <= after) return;
    after = d.position;
    var li = document.createElement("li");
    li.className = "new";
    li.setAttribute("data-position", String(d.position));
    li.appendChild(link("/developments/" + encodeURIComponent(d.id), d.summary));
    var meta = document.createElement("span");
    meta.className = "meta";
    meta.appendChild(document.createTextNode("#" + d.position + " · " + d.occurred + " · " + d.type));
    (d.conflicts || []).forEach(function (k, i) {
      meta.appendChild(document.createTextNode(i === 0 ? " · " : ", "));
      meta.appendChild(link("/conflicts/" + encodeURIComponent(k), k));
    });
    li.appendChild(meta);
    var empty = list.querySelector(".empty");
    if (empty) empty.remove();
    list.insertBefore(li, list.firstChild);
    while (list.children.length > KEEP) list.removeChild(list.lastChild);
  }

  function connect() {
    source = new EventSource(stream + "?after=" + after + "&wait=25&heartbeat=10");
    source.addEventListener("open", function () {
      delay = 2000;
      say("Following the log live: new developments appear at the top (last position " + after + ").");
    });
    source.addEventListener("development", function (event) {
      try { show(JSON.parse(event.data)); } catch (e) { return; }
      say("Following the log live: new developments appear at the top (last position " + after + ").");
    });
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) {
        // refused (the service may be serving as many feeds as it can): try again later
        say("The live feed is paused; trying again in " + Math.round(delay / 1000) + " s.");
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 60000);
      }
    });
  }

  window.addEventListener("pagehide", function () { if (source) source.close(); });
  connect();
})();
