/* The catalogue's search and filters: hide the cards that do not match, count those shown.
   Every card is in the page already (it reads fine without this script); the values to filter
   by come from the JSON block #catalogue-data. The state lives in the address
   (?q=&industry=&district=&association=&topic=, or the same after #), so a filtered view can be
   linked to. No network access, no external code. */
(function () {
  "use strict";

  var FIELDS = ["q", "industry", "district", "association", "topic"];
  var dataElement = document.getElementById("catalogue-data");
  var form = document.getElementById("filters");
  if (!dataElement || !form) {
    return;
  }
  var records = JSON.parse(dataElement.textContent);
  var bySlug = {};
  records.forEach(function (record) {
    bySlug[record.slug] = record;
  });
  var cards = Array.prototype.slice.call(document.querySelectorAll(".card[data-slug]"));
  var shownCount = document.getElementById("shown-count");
  var noResults = document.getElementById("no-results");

  function normalise(text) {
    return String(text || "").normalize("NFKC").toLowerCase().trim();
  }

  function control(name) {
    return form.elements.namedItem(name);
  }

  function readAddress() {
    var raw = window.location.search.slice(1) || window.location.hash.slice(1);
    var params = new URLSearchParams(raw);
    var state = {};
    FIELDS.forEach(function (name) {
      state[name] = params.get(name) || "";
    });
    return state;
  }

  function readForm() {
    var state = {};
    FIELDS.forEach(function (name) {
      state[name] = control(name).value;
    });
    return state;
  }

  function matches(record, state, words) {
    if (state.industry && record.industry !== state.industry) {
      return false;
    }
    if (state.district && record.district !== state.district) {
      return false;
    }
    if (state.association && record.associations.indexOf(state.association) < 0) {
      return false;
    }
    if (state.topic && record.topics.indexOf(state.topic) < 0) {
      return false;
    }
    return words.every(function (word) {
      return record.text.indexOf(word) >= 0;
    });
  }

  function apply(state) {
    var words = normalise(state.q).split(/\s+/).filter(Boolean);
    var shown = 0;
    cards.forEach(function (card) {
      var record = bySlug[card.getAttribute("data-slug")];
      var visible = Boolean(record) && matches(record, state, words);
      card.hidden = !visible;
      shown += visible ? 1 : 0;
    });
    shownCount.textContent = String(shown);
    noResults.hidden = shown > 0;
  }

  function writeAddress(state) {
    var params = new URLSearchParams();
    FIELDS.forEach(function (name) {
      if (state[name]) {
        params.set(name, state[name]);
      }
    });
    var query = params.toString();
    try {
      window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
    } catch (error) {
      // Some browsers refuse to change the address of a page opened from a file: keep filtering.
    }
  }

  function update() {
    var state = readForm();
    apply(state);
    writeAddress(state);
  }

  var initial = readAddress();
  FIELDS.forEach(function (name) {
    var element = control(name);
    element.value = initial[name];
    if (element.value !== initial[name]) {
      element.value = "";  // a value the list does not offer: show everything for that filter
    }
  });
  form.hidden = false;
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    update();
  });
  form.addEventListener("reset", function () {
    window.setTimeout(update, 0);
  });
  apply(readForm());
})();
