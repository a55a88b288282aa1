/* The portal's own script: region pickers, file previews and upload progress, the receipt's "saved the key"
   guard. Pages work without it. */
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

  // The submit form's files: a preview of each one chosen (pictures as thumbnails, read locally).
  document.querySelectorAll("input[type=file][data-preview]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-preview"));
    input.addEventListener("change", function () {
      list.textContent = "";
      Array.prototype.forEach.call(input.files, function (file) {
        var item = document.createElement("li");
        if (/^image\/(jpeg|png|webp)$/.test(file.type) && file.size <= 10485760) {
          var image = document.createElement("img");
          var reader = new FileReader();
          image.alt = "";
          reader.onload = function () { image.src = reader.result; };
          reader.readAsDataURL(file);
          item.appendChild(image);
        }
        var name = document.createElement("span");
        name.textContent = file.name + " (" + Math.ceil(file.size / 1024) + " KB)";
        item.appendChild(name);
        list.appendChild(item);
      });
    });
  });

  // With files chosen, the form is sent by XMLHttpRequest to show the upload's progress; the answer (the
  // receipt, or the form with its errors) then replaces the page, as a normal post would. On a network
  // error the form is posted normally.
  document.querySelectorAll("form[data-upload-progress]").forEach(function (form) {
    var bar = document.getElementById(form.getAttribute("data-upload-progress"));
    form.addEventListener("submit", function (event) {
      var files = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
        return input.files && input.files.length > 0;
      });
      var refresh = event.submitter && event.submitter.name === "refresh";
      if (!files || refresh || !window.FormData || !window.XMLHttpRequest || !bar) {
        return;
      }
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.addEventListener("progress", function (progress) {
        if (progress.lengthComputable) {
          bar.max = progress.total;
          bar.value = progress.loaded;
        }
      });
      request.addEventListener("load", function () {
        document.open();
        document.write(request.responseText);
        document.close();
      });
      request.addEventListener("error", function () { form.submit(); });
      bar.hidden = false;
      request.send(new FormData(form));
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
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

  // Reply templates on a complaint's staff page (issue 21): picking one fills its form's message box at once;
  // text already typed is kept above it.
  document.querySelectorAll("select[data-fill]").forEach(function (select) {
    select.addEventListener("change", function () {
      var box = document.getElementById(select.getAttribute("data-fill"));
      var option = select.options[select.selectedIndex];
      var text = option ? option.getAttribute("data-text") : null;
      if (!box || !text) {
        return;
      }
      var typed = box.value.trim();
      var ours = Array.prototype.some.call(select.options, function (o) { return o.getAttribute("data-text") === typed; });
      box.value = typed && !ours ? typed + "\n\n" + text : text;
      box.focus();
    });
  });
})();
