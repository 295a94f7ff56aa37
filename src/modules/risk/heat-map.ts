/**
 * The 5 × 5 heat map as a server-rendered SVG: likelihood up the side, impact along the bottom,
 * each cell coloured by its level band and showing how many risks it holds. Cells with risks
 * link to the register filtered to that cell. The same counts are in a table beside it.
 */
import { type HeatMap, levelOfScore, type RiskLevel, SCALE_WORDS, type ScaleValue } from './risk.ts';

/** Light fills, each with black text well above 4.5:1 contrast. */
const FILLS: Readonly<Record<RiskLevel, string>> = {
  low: '#cce2d8',
  medium: '#fff7bf',
  high: '#fcd6c3',
  very_high: '#f4cdc6',
};

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CELL = 56;
const LEFT = 96;
const TOP = 8;
const BOTTOM = 64;

export function cellDescription(likelihood: number, impact: number, count: number): string {
  return `Likelihood ${likelihood} (${SCALE_WORDS[likelihood as ScaleValue]}), impact ${impact} (${SCALE_WORDS[impact as ScaleValue]}): ${count} ${count === 1 ? 'risk' : 'risks'}`;
}

/**
 * The map's SVG. `link(likelihood, impact)` gives the address of a cell's risks; `id` makes the
 * title's id unique on a page showing two maps.
 */
export function renderHeatMap(
  map: HeatMap,
  options: { id: string; title: string; link: (likelihood: number, impact: number) => string },
): string {
  const width = LEFT + CELL * 5 + 8;
  const height = TOP + CELL * 5 + BOTTOM;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="group" aria-labelledby="${escapeXml(options.id)}-title" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" class="app-heat-map">`,
    `<title id="${escapeXml(options.id)}-title">${escapeXml(`${options.title}: ${map.total} ${map.total === 1 ? 'risk' : 'risks'}`)}</title>`,
  ];
  for (let likelihood = 5; likelihood >= 1; likelihood -= 1) {
    const y = TOP + (5 - likelihood) * CELL;
    parts.push(
      `<text x="${LEFT - 8}" y="${y + CELL / 2 + 5}" text-anchor="end" font-size="14" fill="#0b0c0c" aria-hidden="true">${likelihood}</text>`,
    );
    for (let impact = 1; impact <= 5; impact += 1) {
      const x = LEFT + (impact - 1) * CELL;
      const count = map.counts[likelihood - 1]?.[impact - 1] ?? 0;
      const fill = FILLS[levelOfScore(likelihood * impact)];
      const cell =
        `<rect x="${x}" y="${y}" width="${CELL}" height="${CELL}" fill="${fill}" stroke="#ffffff" stroke-width="2"/>` +
        `<text x="${x + CELL / 2}" y="${y + CELL / 2 + 6}" text-anchor="middle" font-size="18" font-weight="${count > 0 ? 'bold' : 'normal'}" fill="#0b0c0c">${count > 0 ? count : ''}</text>`;
      if (count > 0) {
        parts.push(
          `<a href="${escapeXml(options.link(likelihood, impact))}" aria-label="${escapeXml(cellDescription(likelihood, impact, count))}">${cell}</a>`,
        );
      } else {
        parts.push(`<g aria-hidden="true">${cell}</g>`);
      }
    }
  }
  for (let impact = 1; impact <= 5; impact += 1) {
    parts.push(
      `<text x="${LEFT + (impact - 1) * CELL + CELL / 2}" y="${TOP + CELL * 5 + 20}" text-anchor="middle" font-size="14" fill="#0b0c0c" aria-hidden="true">${impact}</text>`,
    );
  }
  parts.push(
    `<text x="${LEFT + (CELL * 5) / 2}" y="${TOP + CELL * 5 + 48}" text-anchor="middle" font-size="14" fill="#0b0c0c" aria-hidden="true">Impact</text>`,
    `<text x="16" y="${TOP + (CELL * 5) / 2}" text-anchor="middle" font-size="14" fill="#0b0c0c" transform="rotate(-90 16 ${TOP + (CELL * 5) / 2})" aria-hidden="true">Likelihood</text>`,
    '</svg>',
  );
  return parts.join('');
}
