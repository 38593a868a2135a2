// A uPlot time-series chart that resizes with its card and updates in place as data arrives
// (uPlot redraws thousands of points in a millisecond or two; no re-creation per tick).
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  color: string;
  /** Stacked area fill (traffic share). */
  fill?: string;
}

const AXIS = { stroke: '#b8c2d0', grid: { stroke: '#2a3340', width: 1 }, ticks: { stroke: '#2a3340' } };

/** `data[0]` is the x axis in epoch seconds; `data[i+1]` the values of `series[i]`. */
export function Chart({ title, series, data, unit, height = 180, testid }: { title: string; series: Series[]; data: number[][]; unit: string; height?: number; testid?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const shape = series.map((s) => s.label).join('|');

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: el.clientWidth || 400,
      height,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [AXIS, { ...AXIS, label: unit, size: 60 }],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, ...(s.fill ? { fill: s.fill } : {}), points: { show: false } }))],
    };
    plot.current = new uPlot(opts, data as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = undefined;
    };
    // Re-created only when the set of series changes; data updates go through setData below.
  }, [shape, height, unit]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return (
    <figure class="chart" data-testid={testid}>
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title} chart (${unit})`} />
    </figure>
  );
}

/** Distinct, readable series colours. */
export const PALETTE = ['#4f9dff', '#f5a623', '#50c878', '#e05c8a', '#b18cff', '#3fd0d4', '#e0e060', '#ff7b5c', '#9aa7b8'];
