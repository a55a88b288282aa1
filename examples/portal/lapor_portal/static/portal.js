/* The portal's own script: region pickers, the receipt's "saved the key" guard. Pages work without it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function clear(select) {
    while (select.options.length > 1) {
      select.remove(1);
    }
  }

  function childOf(select) {
    var id = select.getAttribute("data-child");
    return id ? document.getElementById(id) : null;
  }

  document.querySelectorAll("fieldset.regions").forEach(function (fieldset) {
    var base = fieldset.getAttribute("data-regions-url");
    fieldset.querySelectorAll("select[data-child]").forEach(function (select) {
      select.addEventListener("change", function () {
        var child = childOf(select);
        for (var below = child; below; below = childOf(below)) {
          clear(below);
        }
        if (!select.value || !child) {
          return;
        }
        fetch(base + "/" + encodeURIComponent(select.value) + "/children", {headers: {Accept: "application/json"}})
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (regions) {
            regions.forEach(function (region) {
              var option = document.createElement("option");
              option.value = region.code;
              option.textContent = region.name;
              child.appendChild(option);
            });
            child.setAttribute("data-loaded", select.value);
          });
      });
    });
  });

  var receipt = document.querySelector("[data-guard-leave]");
  if (receipt) {
    var saved = document.getElementById("saved");
    var proceed = document.getElementById("continue");
    proceed.disabled = true;
    saved.addEventListener("change", function () { proceed.disabled = !saved.checked; });
    window.addEventListener("beforeunload", function (event) {
      if (!saved.checked) {
        event.preventDefault();
        event.returnValue = receipt.getAttribute("data-guard-leave");
      }
    });
  }
})();
