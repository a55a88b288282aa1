/* Maps that need no download: Leaflet with tiles when the page loads Leaflet, else a small SVG drawing.
 *
 * A map is an element with class "map" and data attributes:
 *   data-points   URL of a GeoJSON FeatureCollection of complaints (properties: tracking_id, title)
 *   data-areas    URL of a GeoJSON FeatureCollection of province points (properties: name, count)
 *   data-pick-lat / data-pick-lon   ids of inputs a click on the map fills in (the submit form)
 *   data-tiles    tile URL template ({z}/{x}/{y}); empty for none
 *   data-attribution   the tiles' credit line
 * Province centroids, markers and province circles are vectors, so they show whether or not tiles load.
 */
(function () {
  "use strict";
  var WEST = 94, EAST = 141.5, SOUTH = -11.5, NORTH = 6.5, WIDTH = 950, HEIGHT = 360;
  var SVG = "http://www.w3.org/2000/svg";

  function getJson(url) {
    if (!url) {
      return Promise.resolve(null);
    }
    return fetch(url, {headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .catch(function () { return null; });
  }

  function features(collection) {
    return collection && collection.features ? collection.features.filter(function (f) {
      return f.geometry && f.geometry.type === "Point";
    }) : [];
  }

  function shade(count, most) {
    var share = most ? count / most : 0;
    var steps = ["#fde0dd", "#fcc5c0", "#fa9fb5", "#f768a1", "#dd3497", "#ae017e"];
    return steps[Math.min(steps.length - 1, Math.floor(share * (steps.length - 1)))];
  }

  function element(tag, attributes, parent) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (parent) {
      parent.appendChild(node);
    }
    return node;
  }

  function project(lon, lat) {
    return [(lon - WEST) / (EAST - WEST) * WIDTH, (NORTH - lat) / (NORTH - SOUTH) * HEIGHT];
  }

  function pageOf(feature) {
    var id = feature.properties.tracking_id;
    return id ? "/pengaduan/" + encodeURIComponent(id) : "#";
  }

  function titled(node, text) {
    element("title", {}, node).textContent = text;
    return node;
  }

  function pickInputs(container) {
    var lat = document.getElementById(container.getAttribute("data-pick-lat") || "");
    var lon = document.getElementById(container.getAttribute("data-pick-lon") || "");
    return lat && lon ? {lat: lat, lon: lon} : null;
  }

  function drawSvg(container, provinces, points, areas) {
    var root = element("svg", {viewBox: "0 0 " + WIDTH + " " + HEIGHT, role: "group",
      "aria-label": container.getAttribute("aria-label") || "Peta"});
    features(provinces).forEach(function (f) {
      var xy = project(f.geometry.coordinates[0], f.geometry.coordinates[1]);
      titled(element("circle", {cx: xy[0], cy: xy[1], r: 2.5, "class": "centroid"}, root), f.properties.name);
    });
    var shown = features(areas);
    var most = Math.max.apply(null, [0].concat(shown.map(function (f) { return f.properties.count || 0; })));
    shown.forEach(function (f) {
      var count = f.properties.count || 0;
      if (!count) {
        return;
      }
      var xy = project(f.geometry.coordinates[0], f.geometry.coordinates[1]);
      var circle = element("circle", {cx: xy[0], cy: xy[1], r: 6 + 14 * Math.sqrt(count / (most || 1)),
        "class": "area", fill: shade(count, most), "data-count": count}, root);
      titled(circle, f.properties.name + ": " + count);
    });
    features(points).forEach(function (f) {
      var xy = project(f.geometry.coordinates[0], f.geometry.coordinates[1]);
      var link = element("a", {href: pageOf(f), "class": "complaint"}, root);
      titled(element("circle", {cx: xy[0], cy: xy[1], r: 4.5, "class": "marker"}, link), f.properties.title || "");
    });
    var inputs = pickInputs(container);
    if (inputs) {
      var pick = null;
      root.addEventListener("click", function (event) {
        var box = root.getBoundingClientRect();
        var x = (event.clientX - box.left) / box.width * WIDTH;
        var y = (event.clientY - box.top) / box.height * HEIGHT;
        inputs.lon.value = (WEST + x / WIDTH * (EAST - WEST)).toFixed(5);
        inputs.lat.value = (NORTH - y / HEIGHT * (NORTH - SOUTH)).toFixed(5);
        if (!pick) {
          pick = element("circle", {r: 5, "class": "pick"}, root);
        }
        pick.setAttribute("cx", x);
        pick.setAttribute("cy", y);
      });
    }
    container.appendChild(root);
    container.setAttribute("data-drawn", "svg");
  }

  function drawLeaflet(container, provinces, points, areas) {
    var L = window.L;
    var map = L.map(container, {scrollWheelZoom: false}).fitBounds([[SOUTH, WEST], [NORTH, EAST]]);
    var tiles = container.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, {attribution: container.getAttribute("data-attribution") || "", maxZoom: 18}).addTo(map);
    }
    features(provinces).forEach(function (f) {
      L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
        radius: 2, stroke: false, fillColor: "#7a8795", fillOpacity: 0.9, interactive: false
      }).addTo(map);
    });
    var shown = features(areas);
    var most = Math.max.apply(null, [0].concat(shown.map(function (f) { return f.properties.count || 0; })));
    shown.forEach(function (f) {
      var count = f.properties.count || 0;
      if (count) {
        L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
          radius: 6 + 14 * Math.sqrt(count / (most || 1)), color: "#fff", weight: 1,
          fillColor: shade(count, most), fillOpacity: 0.75
        }).bindTooltip(f.properties.name + ": " + count).addTo(map);
      }
    });
    features(points).forEach(function (f) {
      var marker = L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
        radius: 6, color: "#fff", weight: 1, fillColor: "#b3261e", fillOpacity: 0.9
      }).addTo(map);
      var link = document.createElement("a");
      link.href = pageOf(f);
      link.textContent = f.properties.title || "";
      marker.bindPopup(link);
    });
    var inputs = pickInputs(container);
    if (inputs) {
      var pick = null;
      map.on("click", function (event) {
        inputs.lat.value = event.latlng.lat.toFixed(5);
        inputs.lon.value = event.latlng.lng.toFixed(5);
        pick = pick || L.circleMarker(event.latlng, {radius: 6}).addTo(map);
        pick.setLatLng(event.latlng);
      });
    }
    container.setAttribute("data-drawn", "leaflet");
  }

  document.querySelectorAll(".map").forEach(function (container) {
    var provincesUrl = container.getAttribute("data-provinces") || "/api/v1/provinces.geojson";
    Promise.all([
      getJson(provincesUrl),
      getJson(container.getAttribute("data-points")),
      getJson(container.getAttribute("data-areas"))
    ]).then(function (loaded) {
      if (window.L) {
        drawLeaflet(container, loaded[0], loaded[1], loaded[2]);
      } else {
        drawSvg(container, loaded[0], loaded[1], loaded[2]);
      }
    });
  });
})();
