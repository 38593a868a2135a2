// Country (ISO 3166-1 numeric, as world-atlas ids them) → data-residency jurisdiction, to
// shade residency boundaries on the map. Mirrors src/api/region-data.ts, plus the EU/EEA
// members that host no cloud region (the boundary is the legal zone, not where regions are).
const GROUPS: Record<string, string[]> = {
  // EU 27 + EEA (Iceland, Liechtenstein, Norway)
  eu: ['040', '056', '100', '191', '196', '203', '208', '233', '246', '250', '276', '300', '348', '372', '380', '428', '440', '442', '470', '528', '616', '620', '642', '703', '705', '724', '752', '352', '438', '578'],
  uk: ['826'],
  ch: ['756'],
  us: ['840'],
  ca: ['124'],
  latam: ['076', '152', '484'],
  apac: ['036', '344', '360', '356', '392', '410', '458', '554', '702', '764', '158'],
  me: ['784', '048', '376', '634', '682'],
  af: ['710'],
  cn: ['156'],
};

export const JURISDICTION_OF_NUMERIC: ReadonlyMap<string, string> = new Map(Object.entries(GROUPS).flatMap(([j, ids]) => ids.map((id) => [id, j] as const)));

/** One colour per jurisdiction, readable on the dark background; the legend uses the same. */
export const JURISDICTION_COLOR: Record<string, string> = {
  eu: '#2b4f8f',
  us: '#7a5a1e',
  uk: '#5e3f8a',
  ch: '#8a3f5a',
  ca: '#2f6f5a',
  latam: '#6a6a2a',
  apac: '#2a6a74',
  me: '#74512a',
  af: '#4f6a2a',
  cn: '#743030',
};
