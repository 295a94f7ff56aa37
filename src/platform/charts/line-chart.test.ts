import { describe, expect, it } from 'vitest';
import { finishSvg, renderLineChart } from './line-chart.ts';

const input = {
  label: 'Line chart of completion rate: 3 values, rising from 50% to 58%',
  series: [
    { name: 'Actual', points: [{ date: '2026-01-01', value: 50 }, { date: '2026-02-01', value: 55 }, { date: '2026-03-01', value: 58 }] },
    { name: 'Plan', line: 'dashed' as const, points: [{ date: '2025-12-01', value: 50 }, { date: '2027-01-01', value: 80 }] },
  ],
  markers: [{ name: 'Target', point: { date: '2027-01-01', value: 80 } }],
  band: {
    name: 'Forecast range',
    low: [{ date: '2026-03-31', value: 58 }, { date: '2027-01-01', value: 60 }],
    high: [{ date: '2026-03-31', value: 58 }, { date: '2027-01-01', value: 90 }],
  },
  formatValue: (value: number) => `${value}%`,
};

describe('the server-rendered line chart', () => {
  it('is an SVG image named by its label, with the series, legend and no script or inline style', () => {
    const svg = renderLineChart(input);
    expect(svg.startsWith('<svg role="img" aria-label="Line chart of completion rate: 3 values, rising from 50% to 58%"')).toBe(true);
    expect(svg).toContain('<title>Line chart of completion rate: 3 values, rising from 50% to 58%</title>');
    expect(svg).toMatch(/<path d="M[^"]+" fill="none" stroke="#1d70b8" stroke-width="3"/);
    expect(svg).toContain('stroke-dasharray');
    for (const name of ['Actual', 'Plan', 'Target', 'Forecast range']) expect(svg).toContain(`>${name}</text>`);
    expect(svg).toContain('80%');
    expect(svg).not.toMatch(/<script|style|\son[a-z]+=|\sfont=/i);
    expect(svg.endsWith('</svg>')).toBe(true);
  });

  it('escapes the label', () => {
    const svg = renderLineChart({ ...input, label: 'A <b>"quoted"</b> & label' });
    expect(svg).toContain('aria-label="A &lt;b&gt;&quot;quoted&quot;&lt;/b&gt; &amp; label"');
  });

  it('turns inline styles into presentation attributes', () => {
    expect(finishSvg('<svg width="10" height="10" viewBox="0 0 10 10"><text style="font-size:12px;font-family:sans-serif;">x</text><text style="font:normal bold 14px Arial, sans-serif;">y</text><style>.a{}</style></svg>', 'x')).toBe(
      '<svg role="img" aria-label="x" focusable="false" class="app-chart" preserveAspectRatio="xMidYMid meet" viewBox="0 0 10 10"><title>x</title><text font-size="12px" font-family="sans-serif">x</text><text font-size="14px" font-family="Arial, sans-serif" font-weight="bold">y</text></svg>',
    );
  });
});
