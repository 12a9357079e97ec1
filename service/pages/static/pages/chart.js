// The timeline charts, for the keyboard and for narrow screens.  The charts are drawn on the
// server and work without this script (their links are listed under them too); with it:
// - a chart is one stop of the Tab key (a roving tabindex): the arrow keys move between its
//   links, Home and End go to the first and last, Tab and Escape leave it (after Escape the
//   next Tab goes on past the chart);
// - on a screen narrower than the chart, it is scrolled to the as-of marker (or the latest
//   development), and a hint says it scrolls.
"use strict";
(function () {
  document.querySelectorAll("figure.chart").forEach(function (figure) {
    var links = Array.prototype.slice.call(figure.querySelectorAll("svg a"));
    var scroller = figure.querySelector(".chart-scroll");
    var hint = figure.querySelector(".scroll-hint");

    function moveTo(index) {
      if (!links.length) return;
      index = Math.max(0, Math.min(links.length - 1, index));
      links.forEach(function (a, i) { a.setAttribute("tabindex", i === index ? "0" : "-1"); });
      links[index].focus();
    }

    // Escape: focus goes to the figure and its one stop is taken out of the Tab order until focus
    // moves on, so that the next Tab (or Shift+Tab) goes past the chart, not back into it
    function leave(at) {
      links[at].setAttribute("tabindex", "-1");
      figure.focus();
      figure.addEventListener("blur", function () { links[at].setAttribute("tabindex", "0"); }, { once: true });
    }

    figure.addEventListener("keydown", function (event) {
      var at = links.indexOf(document.activeElement);
      if (at < 0) return;
      var key = event.key;
      if (key === "ArrowRight" || key === "ArrowDown") moveTo(at + 1);
      else if (key === "ArrowLeft" || key === "ArrowUp") moveTo(at - 1);
      else if (key === "Home") moveTo(0);
      else if (key === "End") moveTo(links.length - 1);
      else if (key === "Escape") leave(at);
      else return;
      event.preventDefault();
    });

    // a link focused however (a click, a screen reader) becomes the chart's stop; one out of
    // sight (at the far end of a scrolled chart) is scrolled into view
    links.forEach(function (a) {
      a.addEventListener("focus", function () {
        links.forEach(function (other) { other.setAttribute("tabindex", other === a ? "0" : "-1"); });
        if (!scroller) return;
        var box = a.getBoundingClientRect(), view = scroller.getBoundingClientRect();
        if (box.left < view.left || box.right > view.right) {
          scroller.scrollLeft += box.left - view.left - view.width / 2;
        }
      });
    });

    function fit() {
      if (!scroller) return;
      var wider = scroller.scrollWidth > scroller.clientWidth + 1;
      if (hint) hint.hidden = !wider;
      if (!wider) return;
      var focus = parseFloat(figure.getAttribute("data-focus") || "1");
      // the focus two thirds of the way across: what led up to it is in view too
      scroller.scrollLeft = Math.max(0, focus * scroller.scrollWidth - scroller.clientWidth * 2 / 3);
    }
    fit();
    window.addEventListener("resize", fit);
  });
})();
