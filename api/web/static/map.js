// The parcel map on OpenLayers (vendored): parcels from the service's GeoJSON, an optional basemap, a scale line.
// The view is Web Mercator (what XYZ/WMTS basemaps are cut in) and never rotates, so north is always up.
import { look, parcelStyle, selectedStyle, pastStyle, lineageStyle, overlapStyle } from "./styles.js";

const GEOJSON = new ol.format.GeoJSON({ dataProjection: "EPSG:4326", featureProjection: "EPSG:3857" });

function vectorLayer(style, zIndex) {
  return new ol.layer.Vector({ source: new ol.source.Vector(), style, zIndex, updateWhileInteracting: false });
}

export class ParcelMap {
  constructor({ target, onSelect, onStatus }) {
    Object.assign(this, { target, onSelect, onStatus });
    this.layers = { parcels: vectorLayer(parcelStyle, 10), overlaps: vectorLayer(overlapStyle, 15),
                    lineage: vectorLayer(lineageStyle, 20), selected: vectorLayer(selectedStyle, 30) };
    this.basemap = null;
    this.map = new ol.Map({
      target, layers: Object.values(this.layers), keyboardEventTarget: target,
      view: new ol.View({ center: ol.proj.fromLonLat([117, -2.5]), zoom: 5, enableRotation: false, maxZoom: 24 }),
      controls: [new ol.control.ScaleLine({ units: "metric", minWidth: 100 }),
                 new ol.control.Attribution({ collapsible: false })],
      interactions: ol.interaction.defaults.defaults({ altShiftDragRotate: false, pinchRotate: false }),
    });
    this.#northArrow();
    target.addEventListener("keydown", (event) => {  // OpenLayers pans and zooms from the keyboard; 0 fits
      if (event.key === "0") { this.onStatus("fit"); event.preventDefault(); }
    });
    this.map.on("singleclick", (event) => this.#click(event));
    this.map.on("moveend", () => { target.dataset.resolution = this.groundResolution().toFixed(4); });
  }

  /** Add the configured basemap or orthophoto (XYZ, WMTS REST template, or WMS) under the parcels. */
  setBasemap(config, onError) {
    const attributions = config.attribution || undefined;
    const url = config.url.replace("{TileMatrix}", "{z}").replace("{TileCol}", "{x}").replace("{TileRow}", "{y}");
    const source = config.kind === "wms"
      ? new ol.source.ImageWMS({ url, params: { LAYERS: config.layers }, attributions })
      : new ol.source.XYZ({ url, attributions, maxZoom: 22 });
    source.on(config.kind === "wms" ? "imageloaderror" : "tileloaderror", onError);
    this.basemap = config.kind === "wms" ? new ol.layer.Image({ source, zIndex: 0 }) : new ol.layer.Tile({ source, zIndex: 0 });
    this.map.addLayer(this.basemap);
  }

  showBasemap(visible) { if (this.basemap) this.basemap.setVisible(visible); }

  /** Forget every parcel drawn (a new search or sign-out). */
  clear() { for (const layer of Object.values(this.layers)) layer.getSource().clear(); }

  /** Replace the parcels layer with these GeoJSON Features; returns the milliseconds taken to build them. */
  drawParcels(features) {
    const started = performance.now();
    const source = this.layers.parcels.getSource();
    source.clear();
    source.addFeatures(features.map(toOl));
    return performance.now() - started;
  }

  /** The looks of the parcels drawn (for the legend's counts). */
  looks() { return this.layers.parcels.getSource().getFeatures().map((f) => f.get("look")); }

  /** Draw a few features on the "selected", "lineage" or "overlaps" layer; `past` draws the selection as of a past time. */
  drawOn(name, features, { past = false } = {}) {
    const source = this.layers[name].getSource();
    source.clear();
    const drawn = features.map(toOl);
    if (past) for (const f of drawn) f.setStyle(pastStyle);
    source.addFeatures(drawn);
  }

  /** Show the features' bounds, at least `minimumMetres` across. */
  fit(features, minimumMetres = 60) {
    if (!features.length) return;
    const extent = ol.extent.createEmpty();
    for (const f of features) ol.extent.extend(extent, toOl(f).getGeometry().getExtent());
    const centre = ol.extent.getCenter(extent);
    const scale = 1 / Math.cos(ol.proj.toLonLat(centre)[1] * Math.PI / 180);  // Mercator metres per ground metre
    const half = (minimumMetres * scale) / 2;
    ol.extent.extend(extent, [centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half]);
    this.map.getView().fit(extent, { padding: [30, 30, 30, 30], duration: 0 });
  }

  zoom(delta) { const view = this.map.getView(); view.setZoom(view.getZoom() + delta); }

  /** Metres on the ground per pixel at the view's centre. */
  groundResolution() {
    const view = this.map.getView();
    return ol.proj.getPointResolution("EPSG:3857", view.getResolution(), view.getCenter(), "m");
  }

  /** The screen pixel (relative to the map) of a longitude and latitude. */
  pixelOfLonLat(lon, lat) { return this.map.getPixelFromCoordinate(ol.proj.fromLonLat([lon, lat])); }

  /** A pixel inside the parcel drawn with this NIB (on any layer), or null. */
  pixelOf(nib) {
    for (const layer of Object.values(this.layers)) {
      const feature = layer.getSource().getFeatureById(nib);
      if (!feature) continue;
      const geometry = feature.getGeometry();
      const point = geometry.getType() === "Polygon" ? geometry.getInteriorPoint().getCoordinates()
        : geometry.getInteriorPoints().getFirstCoordinate();
      return this.map.getPixelFromCoordinate(point);
    }
    return null;
  }

  #click(event) {
    if (this.busy) return;  // a measuring tool is drawing: clicks are its points
    let nib = null;
    this.map.forEachFeatureAtPixel(event.pixel, (feature) => { nib = feature.getId(); return true; },
      { layerFilter: (layer) => layer !== this.layers.overlaps && Object.values(this.layers).includes(layer) });
    if (nib) this.onSelect(String(nib));
  }

  #northArrow() {
    const arrow = document.createElement("div");
    arrow.className = "north ol-unselectable";
    arrow.setAttribute("aria-hidden", "true");
    arrow.innerHTML = '<svg viewBox="-12 -26 24 44" width="24" height="44"><polygon points="0,-22 9,8 0,2 -9,8"></polygon>'
      + '<text x="0" y="18" text-anchor="middle">U/N</text></svg>';
    this.map.addControl(new ol.control.Control({ element: arrow }));
  }
}

/** A GeoJSON Feature of the service as an OpenLayers feature in the view's projection, with its look. */
function toOl(geojson) {
  const feature = GEOJSON.readFeature(geojson);
  feature.setId(geojson.id);
  feature.set("look", look(geojson.properties));
  return feature;
}

/** [minLon, minLat, maxLon, maxLat] of Polygon / MultiPolygon features (their bbox when given). */
export function lonLatBounds(features) {
  let minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
  for (const f of features) {
    const g = f.geometry;
    const polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    for (const rings of polygons) for (const [x, y] of rings[0]) {
      minx = Math.min(minx, x); maxx = Math.max(maxx, x); miny = Math.min(miny, y); maxy = Math.max(maxy, y);
    }
  }
  return [minx, miny, maxx, maxy];
}
