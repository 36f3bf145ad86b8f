/* Seire feedback form, enhanced. Without JavaScript the form works the same: every question
 * is shown, conditional ones with a hint saying when to answer, and the server applies the
 * skip logic. With it:
 *  - a conditional question, and the contact field, show only when their answer is chosen;
 *  - the form is sent with fetch() and the thank-you page replaces the form in the history,
 *    so neither Back nor a look at the history brings the form back. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function chosen(form, name) {
    var values = [];
    Array.prototype.forEach.call(form.elements, function (input) {
      if (input.name === name && input.checked) {
        values.push(input.value);
      }
    });
    return values;
  }

  function dropConditionalHints() {
    Array.prototype.forEach.call(document.querySelectorAll(".conditional-hint"), function (hint) {
      Array.prototype.forEach.call(
        document.querySelectorAll('[aria-describedby~="' + hint.id + '"]'),
        function (el) {
          var ids = el.getAttribute("aria-describedby").split(" ").filter(function (id) {
            return id && id !== hint.id;
          });
          if (ids.length) {
            el.setAttribute("aria-describedby", ids.join(" "));
          } else {
            el.removeAttribute("aria-describedby");
          }
        }
      );
      hint.remove();
    });
  }

  function refresh() {
    var form = document.querySelector("[data-survey-form]");
    if (!form) {
      return;
    }
    // In page order, so that a hidden question also hides the questions that depend on it.
    Array.prototype.forEach.call(form.querySelectorAll("[data-show-if]"), function (question) {
      var name = question.getAttribute("data-show-if");
      var wanted = question.getAttribute("data-show-if-values").split(" ");
      var source = form.querySelector('[name="' + name + '"]');
      var sourceShown = !(source && source.closest(".question").hidden);
      question.hidden = !(sourceShown && chosen(form, name).some(function (value) {
        return wanted.indexOf(value) >= 0;
      }));
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-contact-for]"), function (box) {
      var name = box.getAttribute("data-contact-for");
      box.hidden = chosen(form, name).indexOf(box.getAttribute("data-contact-value")) < 0;
    });
  }

  function showPage(html) {
    var next = new DOMParser().parseFromString(html, "text/html");
    document.title = next.title;
    document.body.replaceWith(document.adoptNode(next.body));
    init();
    var summary = document.querySelector("[data-error-summary]");
    (summary || document.getElementById("main")).focus();
  }

  function send(event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-survey-form]") || !window.fetch) {
      return;
    }
    event.preventDefault();
    var button = form.querySelector("[type=submit]");
    button.disabled = true;
    window.fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin"
    }).then(function (response) {
      if (response.redirected && response.ok) {
        window.location.replace(response.url);
        return null;
      }
      return response.text().then(showPage);
    }).catch(function () {
      button.disabled = false;
      form.submit(); // the network failed: try the ordinary way
    });
  }

  function init() {
    dropConditionalHints();
    refresh();
  }

  document.addEventListener("change", refresh);
  document.addEventListener("submit", send);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
