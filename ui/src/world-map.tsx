// The world map: countries from world-atlas (bundled, loaded on first use), jurisdictions
// shaded, and markers at region coordinates. Markers are buttons, so the map is keyboard
// navigable; shapes encode the provider and colours the health, so colour is never the only cue.
import { geoEqualEarth, geoPath, type GeoPermissibleObjects } from 'd3-geo';
import { useEffect, useState } from 'preact/hooks';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { JURISDICTION_COLOR, JURISDICTION_OF_NUMERIC } from './jurisdictions';

export interface Marker {
  id: string;
  lat: number;
  lon: number;
  /** CSS class: ok / warn / bad / muted. */
  tone: string;
  provider: string;
  label: string;
  /** Text under the marker (e.g. replica count). */
  caption?: string;
  onSelect?: () => void;
}

interface Country {
  id: string;
  d: string;
  jurisdiction: string | undefined;
}

// Cropped to the inhabited latitudes (about 58°S to 80°N): no region lies outside them.
const W = 960;
const H = 400;
const projection = geoEqualEarth().scale(180).translate([W / 2 - 20, H / 2 + 45]);
const path = geoPath(projection);
let countriesCache: Promise<Country[]> | undefined;

function loadCountries(): Promise<Country[]> {
  countriesCache ??= Promise.all([import('topojson-client'), import('world-atlas/countries-110m.json')]).then(([topo, world]) => {
    const data = ((world as { default?: unknown }).default ?? world) as unknown as Topology<{ countries: GeometryCollection }>;
    const fc = topo.feature(data, data.objects.countries) as unknown as { features: { id?: string; geometry: unknown }[] };
    return fc.features
      .filter((f) => f.id !== '010') // Antarctica: no regions, a third of the map
      .map((f) => ({ id: String(f.id ?? ''), d: path(f as GeoPermissibleObjects) ?? '', jurisdiction: JURISDICTION_OF_NUMERIC.get(String(f.id ?? '')) }));
  });
  return countriesCache;
}

function shape(provider: string, x: number, y: number, r: number): preact.JSX.Element {
  switch (provider) {
    case 'azure':
      return <rect x={x - r} y={y - r} width={r * 2} height={r * 2} />;
    case 'gcp':
      return <polygon points={`${x},${y - r * 1.3} ${x + r * 1.3},${y} ${x},${y + r * 1.3} ${x - r * 1.3},${y}`} />;
    case 'onprem':
      return <polygon points={`${x},${y - r * 1.3} ${x + r * 1.2},${y + r} ${x - r * 1.2},${y + r}`} />;
    default:
      return <circle cx={x} cy={y} r={r} />;
  }
}

type Placed = Marker & { x: number; y: number; lx: number; ly: number };

/**
 * Markers at the same region fan out on a small circle so none hides another; labels are then
 * pushed down until they overlap no earlier label (Europe packs many regions into a few pixels).
 */
function layout(markers: Marker[]): Placed[] {
  const placed = fan(markers).sort((a, b) => a.y - b.y || a.x - b.x);
  // Labels avoid every marker as well as each other.
  const boxes: { x0: number; x1: number; y0: number; y1: number }[] = placed.map((m) => ({ x0: m.x - 8, x1: m.x + 8, y0: m.y - 8, y1: m.y + 8 }));
  const out: Placed[] = [];
  for (const m of placed) {
    const w = (m.caption?.length ?? 0) * 6.4;
    let ly = m.y + 4;
    const lx = m.x + 10;
    const hit = () => boxes.some((b) => lx < b.x1 && lx + w > b.x0 && ly - 10 < b.y1 && ly + 2 > b.y0);
    for (let i = 0; i < 40 && hit(); i++) ly += 13;
    boxes.push({ x0: lx, x1: lx + w, y0: ly - 10, y1: ly + 2 });
    out.push({ ...m, lx, ly });
  }
  return out;
}

function fan(markers: Marker[]): (Marker & { x: number; y: number })[] {
  const groups = new Map<string, Marker[]>();
  for (const m of markers) {
    const k = `${m.lat.toFixed(1)},${m.lon.toFixed(1)}`;
    groups.set(k, [...(groups.get(k) ?? []), m]);
  }
  const out: (Marker & { x: number; y: number })[] = [];
  for (const g of groups.values())
    g.forEach((m, i) => {
      const [x, y] = projection([m.lon, m.lat]) ?? [0, 0];
      const a = (i / g.length) * 2 * Math.PI;
      const off = g.length > 1 ? 9 : 0;
      out.push({ ...m, x: x + Math.cos(a) * off, y: y + Math.sin(a) * off });
    });
  return out;
}

export function WorldMap({ markers, shade, title, highlight }: { markers: Marker[]; shade: boolean; title: string; highlight?: string[] }) {
  const [countries, setCountries] = useState<Country[] | undefined>();
  useEffect(() => {
    let live = true;
    void loadCountries().then((c) => live && setCountries(c));
    return () => void (live = false);
  }, []);
  const hl = new Set(highlight ?? []);
  return (
    <figure class="map">
      <svg viewBox={`0 0 ${W} ${H}`} role="group" aria-label={title}>
        <title>{title}</title>
        <g class="countries" aria-hidden="true">
          {(countries ?? []).map((c) => (
            <path
              key={c.id}
              d={c.d}
              style={shade && c.jurisdiction && (!hl.size || hl.has(c.jurisdiction)) ? { fill: JURISDICTION_COLOR[c.jurisdiction] } : undefined}
              class={shade && c.jurisdiction && (!hl.size || hl.has(c.jurisdiction)) ? 'juris' : ''}
            />
          ))}
        </g>
        <g class="markers">
          {layout(markers).map((m) => (
            <g
              key={m.id}
              class={`marker ${m.tone}`}
              role="button"
              // SVG attributes are case-sensitive: `tabIndex` would not make the marker focusable.
              tabindex={0}
              aria-label={m.label}
              data-cluster={m.id}
              onClick={m.onSelect}
              onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), m.onSelect?.())}
            >
              <title>{m.label}</title>
              {shape(m.provider, m.x, m.y, 6)}
              {m.caption && Math.abs(m.ly - m.y - 4) > 1 && <line class="leader" x1={m.x + 4} y1={m.y} x2={m.lx - 2} y2={m.ly - 4} />}
              {m.caption && (
                <text x={m.lx} y={m.ly}>
                  {m.caption}
                </text>
              )}
            </g>
          ))}
        </g>
      </svg>
      {!countries && <figcaption class="muted">Loading map…</figcaption>}
    </figure>
  );
}

/** The legend of jurisdictions and provider shapes. */
export function MapLegend({ jurisdictions }: { jurisdictions: string[] }) {
  return (
    <div class="legend" aria-label="map legend">
      {jurisdictions.map((j) => (
        <span class="legend-item" key={j}>
          <span class="swatch" style={{ background: JURISDICTION_COLOR[j] ?? '#444' }} />
          {j}
        </span>
      ))}
      <span class="legend-item">
        <svg width="14" height="14" viewBox="-7 -7 14 14" aria-hidden="true" class="marker ok">
          {shape('aws', 0, 0, 5)}
        </svg>
        AWS
      </span>
      <span class="legend-item">
        <svg width="14" height="14" viewBox="-7 -7 14 14" aria-hidden="true" class="marker ok">
          {shape('azure', 0, 0, 5)}
        </svg>
        Azure
      </span>
      <span class="legend-item">
        <svg width="14" height="14" viewBox="-7 -7 14 14" aria-hidden="true" class="marker ok">
          {shape('gcp', 0, 0, 4)}
        </svg>
        GCP
      </span>
      <span class="legend-item">
        <svg width="14" height="14" viewBox="-7 -7 14 14" aria-hidden="true" class="marker ok">
          {shape('onprem', 0, 0, 4)}
        </svg>
        on-prem
      </span>
      <span class="legend-item">
        <span class="dot ok" /> ready
      </span>
      <span class="legend-item">
        <span class="dot bad" /> not ready
      </span>
      <span class="legend-item">
        <span class="dot muted" /> pending
      </span>
    </div>
  );
}
