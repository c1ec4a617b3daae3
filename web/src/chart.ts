// Charts with uPlot (about 50 kB): loaded only by the pages that draw one.

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
  dash?: number[];
  fill?: boolean;
}

function widthOf(box: HTMLElement): number {
  return Math.max(260, Math.floor(box.getBoundingClientRect().width || box.parentElement?.getBoundingClientRect().width || 600));
}

const AXIS = { stroke: "#4a5868", grid: { stroke: "#eef1f4" }, ticks: { stroke: "#e3e8ee" } };

function compact(value: number): string {
  return Math.abs(value) >= 1000 ? value.toLocaleString("en", { notation: "compact", maximumFractionDigits: 1 }) : value.toLocaleString("en", { maximumFractionDigits: 2 });
}

function draw(box: HTMLElement, options: uPlot.Options, data: uPlot.AlignedData): uPlot {
  box.replaceChildren();
  const plot = new uPlot({ ...options, width: widthOf(box) }, data, box);
  const resize = new ResizeObserver(() => plot.setSize({ width: widthOf(box), height: options.height }));
  resize.observe(box);
  return plot;
}

/** Lines over x (epochs), e.g. cumulative emission against the schedule. */
export function lineChart(box: HTMLElement, x: number[], series: Series[], xLabel = "epoch"): uPlot {
  return draw(box, {
    width: 600,
    height: 260,
    // The legend names the lines; it shows no values (a phone has no hover, and an empty "—"
    // beside every name read as missing data). The table beside the chart has the figures.
    legend: { live: false },
    scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
    axes: [
      { ...AXIS, label: xLabel, values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? compact(t) : "")) },
      { ...AXIS, size: 60, values: (_u, ticks) => ticks.map((t) => compact(t)) },
    ],
    series: [
      { label: xLabel },
      ...series.map((s) => ({
        label: s.label, stroke: s.color, width: 2, dash: s.dash, points: { show: x.length < 40 },
        fill: s.fill ? `${s.color}22` : undefined, value: (_u: uPlot, v: number | null) => (v === null ? "—" : compact(v)),
      })),
    ],
  }, [x, ...series.map((s) => s.values)]);
}

/** Columns over x, e.g. stones from drops in each epoch. */
export function columnChart(box: HTMLElement, x: number[], series: Series[], xLabel = "epoch"): uPlot {
  const bars = uPlot.paths.bars!({ size: [0.6, 48] });
  return draw(box, {
    width: 600,
    height: 220,
    legend: { show: false },
    scales: {
      x: { time: false, range: (_u, min, max) => [min - 0.6, max + 0.6] },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
    },
    axes: [
      { ...AXIS, label: xLabel, values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : "")) },
      { ...AXIS, size: 60, values: (_u, ticks) => ticks.map((t) => compact(t)) },
    ],
    series: [
      { label: xLabel },
      ...series.map((s) => ({ label: s.label, stroke: s.color, fill: s.color, width: 0, paths: bars, points: { show: false } })),
    ],
  }, [x, ...series.map((s) => s.values)]);
}
