// The public facility finder's map (public.map_tiles_url set): Debian's Leaflet, served by the registry, one
// marker per facility of the page that has coordinates, each linking to its prices. The list below the map
// shows every facility, with coordinates or without, so nothing depends on this script.
(function () {
  'use strict';
  const el = document.getElementById('facility-map');
  if (!el || !window.L) return;
  const points = JSON.parse(el.dataset.points || '[]');
  const map = L.map(el, { scrollWheelZoom: false });
  // Leaflet writes the attribution as HTML: give it text.
  const attribution = (el.dataset.attribution || '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  L.tileLayer(el.dataset.tiles, { attribution, maxZoom: 18 }).addTo(map);
  const bounds = [];
  for (const p of points) {
    const marker = L.marker([p.lat, p.lon], { title: p.name, alt: p.name, keyboard: true }).addTo(map);
    const link = document.createElement('a');
    link.href = p.href;
    link.textContent = p.name;
    marker.bindPopup(link);
    bounds.push([p.lat, p.lon]);
  }
  if (bounds.length) map.fitBounds(bounds, { maxZoom: 14, padding: [24, 24] });
  else map.setView([39.9, 116.4], 9);
})();
