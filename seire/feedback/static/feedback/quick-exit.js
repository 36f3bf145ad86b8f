/* Seire public pages: the quick exit, and keeping these pages out of the back history.
 *
 * "Exit this page" (after the GOV.UK Design System component, written anew): the button,
 * or Shift pressed on its own three times within 5 seconds of each other (counted on keyup;
 * any other key, or Shift used with another key, starts again), covers the page and leaves
 * for a neutral site. Unlike GOV.UK, which sets location.href, this uses location.replace():
 * the page is replaced in the history, so Back does not return to it. Language links are
 * followed the same way. Everything looks the elements up when it needs them, because the
 * form script may swap the page's body. */
(function () {
  "use strict";

  var TIMEOUT = 5000; // ms allowed between one Shift and the next
  var presses = 0;
  var lastKeyWasModified = false;
  var pressTimer = null;
  var messageTimer = null;

  function root() {
    return document.querySelector("[data-quick-exit]");
  }

  function say(text) {
    var box = root();
    var status = box && box.querySelector("[data-quick-exit-status]");
    if (status) {
      status.textContent = text;
    }
  }

  function showLights() {
    var box = root();
    var lights = box && box.querySelector("[data-quick-exit-lights]");
    if (!lights) {
      return;
    }
    lights.hidden = presses === 0;
    Array.prototype.forEach.call(lights.children, function (light, index) {
      light.classList.toggle("is-on", index < presses);
    });
  }

  function leave() {
    var box = root();
    if (!box) {
      return;
    }
    var url = box.querySelector("a").href;
    say("");
    // Cover the page at once (a slow network must not leave it showing), and hide it from
    // screen readers and the keyboard while the neutral site loads.
    var overlay = document.createElement("div");
    overlay.className = "quick-exit-overlay";
    overlay.setAttribute("role", "alert");
    document.body.appendChild(overlay);
    document.body.classList.add("quick-exit-leaving");
    overlay.textContent = box.getAttribute("data-leaving");
    window.location.replace(url);
  }

  function stopCounting(message) {
    window.clearTimeout(pressTimer);
    pressTimer = null;
    presses = 0;
    showLights();
    if (message) {
      say(message);
      window.clearTimeout(messageTimer);
      messageTimer = window.setTimeout(function () {
        say("");
      }, TIMEOUT);
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a") : null;
    if (!link) {
      return;
    }
    if (link.closest("[data-quick-exit]")) {
      event.preventDefault();
      leave();
    } else if (link.hasAttribute("data-replace") && event.button === 0 &&
               !(event.ctrlKey || event.metaKey || event.shiftKey || event.altKey)) {
      event.preventDefault();
      window.location.replace(link.href);
    }
  });

  document.addEventListener("keyup", function (event) {
    var box = root();
    if (!box) {
      return;
    }
    var shiftAlone = event.key === "Shift" && !lastKeyWasModified &&
      !event.ctrlKey && !event.altKey && !event.metaKey;
    if (shiftAlone) {
      presses += 1;
      window.clearTimeout(messageTimer);
      showLights();
      if (presses >= 3) {
        stopCounting("");
        leave();
      } else {
        say(box.getAttribute(presses === 1 ? "data-two-more" : "data-one-more"));
        window.clearTimeout(pressTimer);
        pressTimer = window.setTimeout(function () {
          stopCounting(box.getAttribute("data-timed-out"));
        }, TIMEOUT);
      }
    } else if (presses > 0) {
      stopCounting(box.getAttribute("data-timed-out"));
    }
    // Shift used as a modifier (Shift+A) ends with a keyup of A that has shiftKey set: the
    // keyup of Shift that follows is then not a press of Shift alone.
    lastKeyWasModified = event.shiftKey;
  }, true);

  // A page restored from the back-forward cache must not come back covered.
  window.addEventListener("pageshow", function () {
    document.body.classList.remove("quick-exit-leaving");
    Array.prototype.forEach.call(document.querySelectorAll(".quick-exit-overlay"), function (el) {
      el.remove();
    });
    stopCounting("");
    say("");
  });
})();
