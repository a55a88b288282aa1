/* Maps that need no download: the provinces of /static/basemap.geojson drawn by Leaflet when the page loads
 * Leaflet, else by a small SVG drawing. Tiles are an extra where a deployment configures a tile server.
 *
 * A map is an element with class "map" and data attributes:
 *   data-basemap  URL of the base map (default /static/basemap.geojson: provinces keyed by Kemendagri code)
 *   data-basemap-credit   the base map's credit line; data-basemap-notice   the URL of its notice
 *   data-points   URL of a GeoJSON FeatureCollection of complaints (properties: tracking_id, title)
 *   data-areas    URL of a GeoJSON FeatureCollection of province points (properties: name, count)
 *   data-choropleth   id of a table whose rows (tr[data-code][data-band]) colour the provinces, with
 *                 the legend's swatches (.swatch[data-band]) coloured to match
 *   data-pick-lat / data-pick-lon   ids of inputs a click on the map fills in (the submit form); typing
 *                 in them moves the pin
 *   data-search   id of the region search box (.map-search: an input, a button, a result list)
 *   data-tiles    tile URL template ({z}/{x}/{y}); empty for none
 *   data-attribution   the tiles' credit line
 * The texts a person reads come from the page (its data attributes), so they are in the page's language.
 */
(function () {
  "use strict";
  var WEST = 94, EAST = 141.5, SOUTH = -11.5, NORTH = 6.5, WIDTH = 950, HEIGHT = 360;
  var SVG = "http://www.w3.org/2000/svg";
  var BANDS = ["#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"];
  var EMPTY = "#fbfbf8", LAND = "#f4f1ea", NEIGHBOUR = "#dcdcd6", EDGE = "#8a8f98";
  var ZOOM_OF_LEVEL = {province: 7, regency: 9, district: 11};

  function getJson(url) {
    if (!url) {
      return Promise.resolve(null);
    }
    return fetch(url, {headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .catch(function () { return null; });
  }

  function points(collection) {
    return collection && collection.features ? collection.features.filter(function (f) {
      return f.geometry && f.geometry.type === "Point";
    }) : [];
  }

  function shapes(collection, kind) {
    return collection && collection.features ? collection.features.filter(function (f) {
      return f.geometry && f.geometry.type === "MultiPolygon" && f.properties && f.properties.kind === kind;
    }) : [];
  }

  function shade(count, most) {
    var share = most ? count / most : 0;
    var steps = ["#fde0dd", "#fcc5c0", "#fa9fb5", "#f768a1", "#dd3497", "#ae017e"];
    return steps[Math.min(steps.length - 1, Math.floor(share * (steps.length - 1)))];
  }

  function bandColour(band, bands) {
    if (band === null || band === undefined || band === "" || isNaN(+band) || bands < 1) {
      return EMPTY;
    }
    var step = bands > 1 ? (BANDS.length - 1) / (bands - 1) : 0;
    return BANDS[Math.round(+band * step)] || BANDS[BANDS.length - 1];
  }

  /* The choropleth's table: per province code its band, name and count as the page wrote them. */
  function choropleth(container) {
    var table = document.getElementById(container.getAttribute("data-choropleth") || "");
    if (!table) {
      return null;
    }
    var bands = +(table.getAttribute("data-bands") || 0);
    var rows = {};
    table.querySelectorAll("tr[data-code]").forEach(function (row) {
      var cells = row.querySelectorAll("td, th");
      rows[row.getAttribute("data-code")] = {
        colour: bandColour(row.getAttribute("data-band"), bands),
        label: cells.length > 1 ? cells[0].textContent.trim() + ": " + cells[1].textContent.trim() : ""
      };
    });
    document.querySelectorAll(".swatch[data-band]").forEach(function (swatch) {
      var band = swatch.getAttribute("data-band");
      swatch.style.backgroundColor = band === "none" ? EMPTY : bandColour(band, bands);
    });
    return rows;
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

  function svgPath(multipolygon) {
    return multipolygon.map(function (polygon) {
      return polygon.map(function (ring) {
        return ring.map(function (point, index) {
          var xy = project(point[0], point[1]);
          return (index ? "L" : "M") + xy[0].toFixed(1) + " " + xy[1].toFixed(1);
        }).join("") + "Z";
      }).join("");
    }).join("");
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

  function typedPoint(inputs) {
    var lat = parseFloat(String(inputs.lat.value).replace(",", "."));
    var lon = parseFloat(String(inputs.lon.value).replace(",", "."));
    return isFinite(lat) && isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? [lat, lon] : null;
  }

  function credit(container) {
    var text = container.getAttribute("data-basemap-credit") || "";
    var link = document.createElement("a");
    link.href = container.getAttribute("data-basemap-notice") || "/static/basemap-NOTICE.md";
    link.textContent = text;
    return text ? link : null;
  }

  /* --- the region search: moves the map and fills the form's region selects ------------------------- */

  function whenOption(select, value, then) {
    var tries = 0;
    (function look() {
      if (select.querySelector("option[value='" + value + "']")) {
        then();
      } else if (tries++ < 100) {
        window.setTimeout(look, 50);
      }
    })();
  }

  function choose(select, value, then) {
    if (!select) {
      return;
    }
    whenOption(select, value, function () {
      select.value = value;
      select.dispatchEvent(new Event("change", {bubbles: true}));
      if (then) {
        then();
      }
    });
  }

  function fillRegion(hit) {
    var province = document.getElementById("province");
    var regency = document.getElementById("regency");
    var district = document.getElementById("district");
    choose(province, hit.province, function () {
      if (hit.regency) {
        choose(regency, hit.regency, function () {
          if (hit.level === "district") {
            choose(district, hit.code);
          }
        });
      }
    });
  }

  function installSearch(container, moveTo) {
    var box = document.getElementById(container.getAttribute("data-search") || "");
    if (!box) {
      return;
    }
    var input = box.querySelector("input");
    var button = box.querySelector("button");
    var list = box.querySelector("ul");
    var status = box.querySelector("[role=status]");
    box.hidden = false;

    function say(text) {
      status.textContent = text || "";
    }

    function show(hits) {
      list.textContent = "";
      if (!hits.length) {
        say(box.getAttribute("data-none"));
        return;
      }
      say(box.getAttribute("data-found").replace("${count}", hits.length));
      hits.forEach(function (hit) {
        var item = document.createElement("li");
        var pick = document.createElement("button");
        pick.type = "button";
        pick.className = "link";
        pick.setAttribute("data-code", hit.code);
        pick.textContent = hit.label;
        pick.addEventListener("click", function () {
          list.textContent = "";
          say(box.getAttribute("data-chosen").replace("${name}", hit.label));
          if (hit.lat !== null && hit.lon !== null) {
            moveTo(hit);
          }
          fillRegion(hit);
        });
        item.appendChild(pick);
        list.appendChild(item);
      });
    }

    function search() {
      var text = input.value.trim();
      if (!text) {
        list.textContent = "";
        say(box.getAttribute("data-empty"));
        return;
      }
      var url = box.getAttribute("data-url") + "?limit=8&q=" + encodeURIComponent(text.slice(0, 100));
      fetch(url, {headers: {Accept: "application/json"}})
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(show)
        .catch(function () { say(box.getAttribute("data-failed")); });
    }

    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();  // the search box sits in the complaint form: Enter must not send it
        search();
      }
    });
    button.addEventListener("click", search);
  }

  /* --- SVG: when the page has no Leaflet ---------------------------------------------------------- */

  function drawSvg(container, base, complaints, areas) {
    var root = element("svg", {viewBox: "0 0 " + WIDTH + " " + HEIGHT, role: "group",
      "aria-label": container.getAttribute("aria-label") || ""});
    var colours = choropleth(container);
    shapes(base, "neighbour").forEach(function (f) {
      element("path", {d: svgPath(f.geometry.coordinates), "class": "neighbour", fill: NEIGHBOUR}, root);
    });
    shapes(base, "province").forEach(function (f) {
      var row = colours && colours[f.properties.code];
      var path = element("path", {d: svgPath(f.geometry.coordinates), "class": "province",
        "data-code": f.properties.code, fill: row ? row.colour : colours ? EMPTY : LAND,
        stroke: EDGE, "stroke-width": 0.4}, root);
      titled(path, row && row.label ? row.label : f.properties.name);
    });
    var shown = points(areas);
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
    points(complaints).forEach(function (f) {
      var xy = project(f.geometry.coordinates[0], f.geometry.coordinates[1]);
      var link = element("a", {href: pageOf(f), "class": "complaint"}, root);
      titled(element("circle", {cx: xy[0], cy: xy[1], r: 4.5, "class": "marker"}, link), f.properties.title || "");
    });
    var inputs = pickInputs(container);
    var pick = null;
    function pin(lat, lon) {
      var xy = project(lon, lat);
      pick = pick || element("circle", {r: 5, "class": "pick"}, root);
      pick.setAttribute("cx", xy[0]);
      pick.setAttribute("cy", xy[1]);
    }
    if (inputs) {
      root.addEventListener("click", function (event) {
        var box = root.getBoundingClientRect();
        var x = (event.clientX - box.left) / box.width * WIDTH;
        var y = (event.clientY - box.top) / box.height * HEIGHT;
        var lon = WEST + x / WIDTH * (EAST - WEST), lat = NORTH - y / HEIGHT * (NORTH - SOUTH);
        inputs.lat.value = lat.toFixed(5);
        inputs.lon.value = lon.toFixed(5);
        pin(lat, lon);
      });
      [inputs.lat, inputs.lon].forEach(function (input) {
        input.addEventListener("change", function () {
          var typed = typedPoint(inputs);
          if (typed) {
            pin(typed[0], typed[1]);
          }
        });
      });
    }
    installSearch(container, function (hit) {
      root.querySelectorAll("path.province.focus").forEach(function (p) { p.classList.remove("focus"); });
      var shape = root.querySelector("path.province[data-code='" + hit.province + "']");
      if (shape) {
        shape.classList.add("focus");
      }
      container.setAttribute("data-centre", hit.lat.toFixed(3) + "," + hit.lon.toFixed(3));
    });
    container.appendChild(root);
    var link = credit(container);
    if (link) {
      var note = document.createElement("p");
      note.className = "map-credit";
      note.appendChild(link);
      container.appendChild(note);
    }
    container.setAttribute("data-drawn", "svg");
  }

  /* --- Leaflet ---------------------------------------------------------------------------------------- */

  function drawLeaflet(container, base, complaints, areas) {
    var L = window.L;
    var colours = choropleth(container);
    var whole = [[SOUTH, WEST], [NORTH, EAST]];
    var map = L.map(container, {scrollWheelZoom: false, minZoom: 3, maxZoom: 18, zoomSnap: 0.25}).fitBounds(whole);
    // Until someone moves the map, it keeps showing all of Indonesia when its box changes size (a phone turned).
    var fitting = false, moved = false, zooming = false;
    map.on("zoomstart movestart", function () { moved = moved || !fitting; });
    map.on("zoomanim", function () { zooming = true; });
    map.on("zoomend", function () { zooming = false; });
    // Jump to a place; after a running zoom animation, which would otherwise land where it was heading.
    function go(latlng, zoom) {
      if (zooming) {
        map.once("zoomend", function () { go(latlng, zoom); });
      } else {
        map.setView(latlng, zoom, {animate: false});
      }
    }
    map.on("resize", function () {
      if (!moved) {
        fitting = true;
        map.fitBounds(whole, {animate: false});
        fitting = false;
      }
    });
    map.attributionControl.setPrefix("");
    var tiles = container.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, {attribution: container.getAttribute("data-attribution") || "", maxZoom: 18}).addTo(map);
    }
    var link = credit(container);
    if (link) {
      map.attributionControl.addAttribution(link.outerHTML);
    }
    if (base) {
      L.geoJSON({type: "FeatureCollection", features: shapes(base, "neighbour")}, {
        interactive: false,
        style: function () {
          return {stroke: false, fillColor: NEIGHBOUR, fillOpacity: tiles ? 0 : 1, className: "neighbour"};
        }
      }).addTo(map);
      L.geoJSON({type: "FeatureCollection", features: shapes(base, "province")}, {
        interactive: Boolean(colours),
        style: function (f) {
          var row = colours && colours[f.properties.code];
          var fill = row ? row.colour : colours ? EMPTY : LAND;
          return {color: EDGE, weight: 0.8, fillColor: fill, fillOpacity: tiles && !colours ? 0 : 0.9,
            className: "province"};
        },
        onEachFeature: function (f, layer) {
          var row = colours && colours[f.properties.code];
          if (colours) {
            layer.bindTooltip(row && row.label ? row.label : f.properties.name, {sticky: true});
          }
          layer.on("add", function () {
            var path = layer.getElement && layer.getElement();
            if (path) {
              path.setAttribute("data-code", f.properties.code);
            }
          });
        }
      }).addTo(map);
    }
    var shown = points(areas);
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
    points(complaints).forEach(function (f) {
      var marker = L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
        radius: 6, color: "#fff", weight: 1, fillColor: "#b3261e", fillOpacity: 0.9
      }).addTo(map);
      var anchor = document.createElement("a");
      anchor.href = pageOf(f);
      anchor.textContent = f.properties.title || "";
      marker.bindPopup(anchor);
    });
    var inputs = pickInputs(container);
    var near = tiles ? 15 : 9;  // a typed point is shown close up: streets with tiles, else its coast and borders
    var pick = null;
    function pin(latlng) {
      pick = pick || L.circleMarker(latlng, {radius: 7, color: "#fff", weight: 2, fillColor: "#1d4ed8",
        fillOpacity: 1, className: "pick"}).addTo(map);
      pick.setLatLng(latlng);
    }
    if (inputs) {
      map.on("click", function (event) {
        inputs.lat.value = event.latlng.lat.toFixed(5);
        inputs.lon.value = event.latlng.lng.toFixed(5);
        pin(event.latlng);
      });
      [inputs.lat, inputs.lon].forEach(function (input) {
        input.addEventListener("change", function () {
          var typed = typedPoint(inputs);
          if (typed) {
            pin(typed);
            go(typed, Math.max(map.getZoom(), near));
          }
        });
      });
      var typed = typedPoint(inputs);
      if (typed) {
        pin(typed);
        go(typed, near);
      }
    }
    var place = null;
    installSearch(container, function (hit) {
      if (place) {
        map.removeLayer(place);
      }
      // Where the search went (the region's centroid), labelled, so a map without streets still says where.
      place = L.circleMarker([hit.lat, hit.lon], {radius: 10, color: "#1a5fb4", weight: 2, dashArray: "4 3",
        fill: false, interactive: false, className: "place"}).bindTooltip(hit.name, {permanent: true,
        direction: "top", offset: [0, -8]}).addTo(map);
      go([hit.lat, hit.lon], ZOOM_OF_LEVEL[hit.level] || 9);
    });
    map.on("moveend", function () {
      var centre = map.getCenter();
      container.setAttribute("data-centre", centre.lat.toFixed(3) + "," + centre.lng.toFixed(3));
    });
    container.setAttribute("data-drawn", "leaflet");
  }

  document.querySelectorAll(".map").forEach(function (container) {
    Promise.all([
      getJson(container.getAttribute("data-basemap") || "/static/basemap.geojson"),
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
