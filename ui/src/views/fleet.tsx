// Fleet: every cluster on the world map at its region, coloured by health, shaped by provider,
// with jurisdictions shaded; and per provider the clusters with their utilisation.
import { Badge, Bar, Card, Link, Page, phaseTone } from '../components';
import { useKind } from '../live';
import { PROVIDERS, PROVIDER_LABEL, clusterPhase, useRegions, utilisation } from '../model';
import { navigate } from '../route';
import { MapLegend, WorldMap, type Marker } from '../world-map';

export function Fleet() {
  const clusters = useKind('clusters');
  const regions = useRegions();
  if (clusters.loaded && !clusters.items.length)
    return (
      <Page title="Fleet">
        <Card>
          <p class="state empty" role="status" data-testid="no-clusters">
            No clusters yet: apply a Cluster (<code>truststram apply -f examples/fleet.yaml</code>).
          </p>
        </Card>
      </Page>
    );
  const markers: Marker[] = [];
  const unplaced: string[] = [];
  for (const c of clusters.items) {
    const r = regions.get(`${c.spec?.provider}/${c.spec?.region}`);
    const lat = (c.spec?.location?.lat as number | undefined) ?? r?.lat;
    const lon = (c.spec?.location?.lon as number | undefined) ?? r?.lon;
    if (lat === undefined || lon === undefined) {
      unplaced.push(c.metadata.name);
      continue;
    }
    const u = utilisation(c);
    markers.push({
      id: c.metadata.name,
      lat,
      lon,
      tone: phaseTone(clusterPhase(c)),
      provider: c.spec?.provider ?? 'onprem',
      label: `${c.metadata.name}: ${clusterPhase(c)}, ${c.spec?.provider} ${c.spec?.region} (${c.spec?.residency}), CPU ${Math.round(u.cpu * 100)}% allocated`,
      caption: c.metadata.name,
      onSelect: () => navigate(`clusters/${encodeURIComponent(c.metadata.name)}`),
    });
  }
  const jurisdictions = [...new Set(clusters.items.map((c) => c.spec?.residency as string).filter(Boolean))].sort();
  const providers = [...PROVIDERS, ...new Set(clusters.items.map((c) => c.spec?.provider as string).filter((p) => !(PROVIDERS as readonly string[]).includes(p)))];
  return (
    <Page title="Fleet" subtitle="Clusters at their regions; shaded areas are data-residency jurisdictions (a workload bound to one never leaves it).">
      <Card wide>
        <WorldMap title="world map of clusters" markers={markers} shade highlight={jurisdictions} />
        <MapLegend jurisdictions={jurisdictions} />
        {unplaced.length > 0 && <p class="muted">Not on the map (region without coordinates): {unplaced.join(', ')}</p>}
      </Card>
      <div class="grid">
        {providers.map((p) => {
          const list = clusters.items.filter((c) => c.spec?.provider === p);
          if (!list.length) return null;
          return (
            <Card title={PROVIDER_LABEL[p] ?? p} key={p}>
              <ul class="cluster-list">
                {list.map((c) => {
                  const u = utilisation(c);
                  return (
                    <li key={c.metadata.name} data-testid={`cluster-${c.metadata.name}`}>
                      <div class="row">
                        <Link to={`clusters/${c.metadata.name}`}>{c.metadata.name}</Link>
                        <Badge tone={phaseTone(clusterPhase(c))}>{clusterPhase(c)}</Badge>
                      </div>
                      <div class="muted small">
                        {c.spec?.region} · {c.spec?.residency} · {c.status?.allocated?.pods ?? 0} replicas
                      </div>
                      <div class="util">
                        <span class="small">CPU {Math.round(u.cpu * 100)}%</span>
                        <Bar value={u.cpu} label={`${c.metadata.name} CPU allocated`} />
                        <span class="small">Mem {Math.round(u.memory * 100)}%</span>
                        <Bar value={u.memory} label={`${c.metadata.name} memory allocated`} />
                      </div>
                    </li>
                  );
                })}
              </ul>
            </Card>
          );
        })}
      </div>
    </Page>
  );
}
