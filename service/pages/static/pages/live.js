// The overview's live list: puts each new development at the top of the list, without reloading.
// Without JavaScript the list is still there, as rendered by the server.
//
// One connection per browser: the tabs of this service elect a leader with the Web Locks API
// (the tab holding the lock follows GET /v1/events/stream, Server-Sent Events) and it passes
// every development to the other tabs over a BroadcastChannel; when the leader closes, another
// tab takes the lock and follows.  A browser without them connects from each tab.
//
// When the service refuses the feed (503 with Retry-After: its feed slots are full) or the
// connection fails, the leader polls GET /v1/events?after=N instead, catching up on what it
// missed, and tries the feed again later.  A tab that sees a gap asks for what it missed too.
"use strict";
(function () {
  var status = document.getElementById("live-status");
  var list = document.getElementById("live-list");
  if (!status || !list) return;
  var after = parseInt(status.getAttribute("data-after"), 10) || 0;
  var stream = status.getAttribute("data-stream");
  var poll = status.getAttribute("data-poll");
  var KEEP = 50;
  var POLL_MS = 5000;
  var RETRY_STREAM_MS = 30000;
  var NAME = "conflict-status-live";
  var channel = window.BroadcastChannel ? new BroadcastChannel(NAME) : null;
  var source = null;
  var polling = null;
  var catchingUp = false;

  function say(text) { status.textContent = text; }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function show(d) {
    if (d.position <= after) return;
    if (d.position > after + 1) catchUp(); // a gap (or a position a failed write left unused): ask
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

  function slim(d) {
    return { id: d.id, position: d.position, occurred: d.occurred, type: d.type, summary: d.summary,
             conflicts: d.conflicts || [] };
  }

  function received(d) {
    var fresh = d.position > after;
    show(d);
    if (fresh && channel && leading) channel.postMessage({ development: slim(d) });
  }

  // what was recorded after the last position shown, a page at a time
  function catchUp() {
    if (catchingUp || !poll || !window.fetch) return Promise.resolve();
    catchingUp = true;
    return fetch(poll + "?after=" + after + "&limit=100", { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("status " + r.status); return r.json(); })
      .then(function (page) {
        catchingUp = false;
        var items = page.items || [];
        items.forEach(received);
        if (items.length === 100) return catchUp();
      })
      .catch(function () { catchingUp = false; });
  }

  // -- the leader: follows the feed, or polls while the feed is refused -------------------
  var leading = false;

  function following() {
    say("Following the log live: new developments appear at the top (last position " + after + ").");
  }

  function startPolling() {
    if (polling) return;
    say("The live feed is busy; checking for new developments every " + POLL_MS / 1000 + " s instead (last position " + after + ").");
    catchUp();
    polling = setInterval(function () {
      catchUp().then(function () {
        say("The live feed is busy; checking for new developments every " + POLL_MS / 1000 + " s instead (last position " + after + ").");
      });
    }, POLL_MS);
    setTimeout(function () {
      clearInterval(polling);
      polling = null;
      connect();
    }, RETRY_STREAM_MS);
  }

  function connect() {
    if (!window.EventSource) { startPolling(); return; }
    source = new EventSource(stream + "?after=" + after + "&wait=25&heartbeat=10");
    source.addEventListener("open", following);
    source.addEventListener("development", function (event) {
      try { received(JSON.parse(event.data)); } catch (e) { return; }
      following();
    });
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) {
        // refused (503: the service serves as many feeds as it can) or unreachable: poll instead
        source = null;
        startPolling();
      }
    });
  }

  function lead() {
    leading = true;
    catchUp().then(connect);
  }

  window.addEventListener("pagehide", function () { if (source) source.close(); });

  if (channel) {
    channel.addEventListener("message", function (event) {
      if (event.data && event.data.development) {
        show(event.data.development);
        if (!leading) say("Following the log live through another tab of this service (last position " + after + ").");
      }
    });
  }
  if (channel && navigator.locks && navigator.locks.request) {
    say("Following the log live through another tab of this service (last position " + after + ").");
    // held for as long as this tab lives; the next tab in line leads when it closes
    navigator.locks.request(NAME, function () {
      lead();
      return new Promise(function () {});
    });
  } else {
    lead();
  }
})();
