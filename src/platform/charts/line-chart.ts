/**
 * Server-rendered SVG line charts (ECharts SSR): pure input → SVG string, no script, no inline
 * styles (the CSP forbids them), readable in greyscale and in print (lines differ by dash as
 * well as colour, and a legend names them). The SVG is an image with an accessible name; pages
 * put the same data in a table beside it.
 */
import * as echarts from 'echarts';
import type { LineSeriesOption, ScatterSeriesOption } from 'echarts';

export interface ChartPoint {
  /** A calendar date, 'YYYY-MM-DD'. */
  date: string;
  value: number;
}

export interface LineSeries {
  name: string;
  points: readonly ChartPoint[];
  /** solid (actuals), dashed (plans, forecasts), dotted; default solid. */
  line?: 'solid' | 'dashed' | 'dotted';
  colour?: string;
  /** Show a marker on every point (default true for solid lines). */
  markers?: boolean;
}

export interface LineChartInput {
  /** The accessible name: a sentence summarising what the chart shows. */
  label: string;
  series: readonly LineSeries[];
  /** Single highlighted points, such as a target. */
  markers?: readonly { name: string; point: ChartPoint; colour?: string }[];
  /** A shaded range between two lines, such as a forecast interval. */
  band?: { name: string; low: readonly ChartPoint[]; high: readonly ChartPoint[]; colour?: string };
  /** Formats axis values, e.g. adds a unit. */
  formatValue?: (value: number) => string;
  width?: number;
  height?: number;
}

const DEFAULT_COLOURS = ['#1d70b8', '#505a5f', '#00703c', '#d4351c', '#4c2c92'];

function time(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A CSS declaration as SVG presentation attributes; the `font` shorthand is split, as SVG 2 has no `font` attribute. */
function presentationAttributes(property: string, value: string): [string, string][] {
  if (property !== 'font') return [[property, value]];
  const match = /^(?:(.*?)\s+)?(\d+(?:\.\d+)?px)\s+(.+)$/.exec(value);
  if (match === null) return [];
  const weight = (match[1] ?? '').split(/\s+/).find((word) => /^(bold|bolder|lighter|\d{3})$/.test(word));
  return [['font-size', match[2] ?? ''], ['font-family', match[3] ?? ''], ...(weight === undefined ? [] : [['font-weight', weight] as [string, string]])];
}

/**
 * Makes ECharts' SVG safe under a strict CSP and accessible: drops its hover `<style>` block and
 * internal metadata attributes, turns `style="…"` into presentation attributes, scales with its
 * container, and names it as one image.
 */
export function finishSvg(svg: string, label: string): string {
  const safeLabel = escapeAttribute(label);
  return svg
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/\s(?:ecmeta_[a-z_]+|pointer-events)="[^"]*"/g, '')
    .replace(/\sstyle="([^"]*)"/g, (_match, declarations: string) =>
      declarations
        .split(';')
        .map((d) => d.trim())
        .filter((d) => /^[a-z-]+:[^:]+$/.test(d))
        .flatMap((d) => {
          const [property = '', ...rest] = d.split(':');
          return presentationAttributes(property.trim(), rest.join(':').trim());
        })
        .map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`)
        .join(''),
    )
    .replace(/\sclass="zr\d+-cls-\d+"/g, '')
    .replace(/^<svg width="\d+" height="\d+"/, `<svg role="img" aria-label="${safeLabel}" focusable="false" class="app-chart" preserveAspectRatio="xMidYMid meet"`)
    .replace(/^(<svg[^>]*>)/, `$1<title>${safeLabel}</title>`);
}

/** Renders a line chart with dated x values to an SVG string. */
export function renderLineChart(input: LineChartInput): string {
  const width = input.width ?? 720;
  const height = input.height ?? 360;
  const format = input.formatValue ?? ((value: number) => String(value));
  const series: (LineSeriesOption | ScatterSeriesOption)[] = [];
  if (input.band !== undefined && input.band.low.length > 0) {
    const colour = input.band.colour ?? '#1d70b8';
    const highByDate = new Map(input.band.high.map((p) => [p.date, p.value]));
    series.push(
      {
        type: 'line',
        name: `${input.band.name} (low)`,
        stack: 'band',
        data: input.band.low.map((p) => [time(p.date), p.value]),
        lineStyle: { opacity: 0 },
        symbol: 'none',
        silent: true,
        tooltip: { show: false },
      },
      {
        type: 'line',
        name: input.band.name,
        stack: 'band',
        data: input.band.low.map((p) => [time(p.date), (highByDate.get(p.date) ?? p.value) - p.value]),
        lineStyle: { opacity: 0 },
        areaStyle: { color: colour, opacity: 0.18 },
        itemStyle: { color: colour, opacity: 0.4 },
        symbol: 'none',
        silent: true,
      },
    );
  }
  input.series.forEach((s, index) => {
    const colour = s.colour ?? DEFAULT_COLOURS[index % DEFAULT_COLOURS.length] ?? '#1d70b8';
    const line = s.line ?? 'solid';
    series.push({
      type: 'line',
      name: s.name,
      data: s.points.map((p) => [time(p.date), p.value]),
      lineStyle: { color: colour, width: line === 'solid' ? 3 : 2, type: line },
      itemStyle: { color: colour },
      symbol: (s.markers ?? line === 'solid') ? 'circle' : 'none',
      symbolSize: 6,
    });
  });
  for (const marker of input.markers ?? []) {
    series.push({
      type: 'scatter',
      name: marker.name,
      data: [[time(marker.point.date), marker.point.value]],
      symbol: 'diamond',
      symbolSize: 14,
      itemStyle: { color: marker.colour ?? '#0b0c0c' },
    });
  }
  const legend = series.map((s) => String(s.name ?? '')).filter((name) => !name.endsWith('(low)'));

  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      useUTC: true,
      textStyle: { fontFamily: 'system-ui, sans-serif', fontSize: 13, color: '#0b0c0c' },
      legend: { data: legend, top: 0, left: 0, itemGap: 16, textStyle: { color: '#0b0c0c' } },
      grid: { left: 16, right: 24, top: 48, bottom: 16, containLabel: true },
      xAxis: {
        type: 'time',
        axisLine: { lineStyle: { color: '#505a5f' } },
        axisLabel: { color: '#0b0c0c', hideOverlap: true },
        splitLine: { show: false },
      },
      yAxis: {
        type: 'value',
        scale: true,
        axisLabel: { color: '#0b0c0c', formatter: (value: number) => format(value) },
        splitLine: { lineStyle: { color: '#b1b4b6', type: 'dotted' } },
      },
      series,
    });
    return finishSvg(chart.renderToSVGString(), input.label);
  } finally {
    chart.dispose();
  }
}
