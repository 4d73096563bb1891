import type { MixedResult } from './result';

/**
 * The chart beside a run's JSON: four small panels over the offered rate (sagas completed/s against the
 * orders offered, order create p50/p99, saga p50/p99, CPU per saga), plain SVG so it needs nothing to draw.
 */
interface Series {
  readonly name: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly points: ReadonlyArray<readonly [number, number | undefined]>;
}

const PANEL_WIDTH = 230;
const PANEL_HEIGHT = 200;
const MARGIN = { left: 46, right: 12, top: 44, bottom: 34 };

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const label = (value: number): string =>
  value >= 1000 ? `${+(value / 1000).toFixed(1)}k` : `${+value.toPrecision(2)}`;

function niceTicks(max: number, log: boolean, min: number): number[] {
  if (log) {
    const ticks: number[] = [];
    for (let tick = 10 ** Math.floor(Math.log10(min)); tick <= max * 1.0001; tick *= 10) ticks.push(tick);
    return ticks;
  }
  const step = 10 ** Math.floor(Math.log10(max / 2));
  const unit = max / step > 8 ? step * 2 : step;
  return Array.from({ length: Math.floor(max / unit) + 1 }, (_, index) => index * unit);
}

function panel(
  originX: number,
  title: string,
  xs: readonly number[],
  series: readonly Series[],
  log: boolean,
): string {
  const values = series
    .flatMap((each) => each.points.map(([, y]) => y))
    .filter((y): y is number => y !== undefined && y > 0);
  const yMin = log ? 10 ** Math.floor(Math.log10(Math.min(...values, 1))) : 0;
  const yMax = log ? 10 ** Math.ceil(Math.log10(Math.max(...values, 1))) : Math.max(...values, 1) * 1.1;
  const xMax = Math.max(...xs) * 1.1;
  const width = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const height = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number): number => originX + MARGIN.left + (x / xMax) * width;
  const py = (y: number): number => {
    const share = log ? (Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin)) : y / yMax;
    return MARGIN.top + height - share * height;
  };
  const parts = [`<text x="${originX + MARGIN.left}" y="16" font-weight="bold">${escape(title)}</text>`];
  for (const tick of niceTicks(yMax, log, yMin)) {
    const y = py(tick).toFixed(1);
    parts.push(
      `<line x1="${px(0)}" x2="${px(xMax)}" y1="${y}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${px(0) - 4}" y="${y}" text-anchor="end" dominant-baseline="middle">${label(tick)}</text>`,
    );
  }
  for (const x of xs) {
    parts.push(
      `<text x="${px(x).toFixed(1)}" y="${MARGIN.top + height + 14}" text-anchor="middle">${x}</text>`,
    );
  }
  parts.push(
    `<text x="${px(xMax / 2)}" y="${PANEL_HEIGHT - 4}" text-anchor="middle">iterations/s offered</text>`,
  );
  series.forEach((each, index) => {
    const points = each.points.flatMap(([x, y]) =>
      y !== undefined && y > 0 ? [[px(x), py(y)] as const] : [],
    );
    const path = points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
    const dash = each.dashed ? ' stroke-dasharray="4 3"' : '';
    parts.push(`<polyline points="${path}" fill="none" stroke="${each.color}" stroke-width="2"${dash}/>`);
    for (const [x, y] of points)
      parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${each.color}"/>`);
    // One legend row under the title, clear of the data.
    const legendX = originX + MARGIN.left + index * 90;
    parts.push(`<text x="${legendX}" y="30" fill="${each.color}">${escape(each.name)}</text>`);
  });
  return parts.join('\n');
}

export function mixedChart(result: MixedResult): string {
  const runs = result.runs;
  const xs = runs.map((run) => run.rate);
  const at = (pick: (run: (typeof runs)[number]) => number | undefined): Series['points'] =>
    runs.map((run) => [run.rate, pick(run)] as const);
  const panels = [
    panel(
      0,
      'sagas completed/s',
      xs,
      [
        { name: 'completed', color: '#1f77b4', points: at((run) => run.sagas.completedPerSecond) },
        // 60 % of the iterations are orders (54 % plain, 6 % order-and-poll).
        { name: 'orders offered', color: '#999', dashed: true, points: at((run) => run.rate * 0.6) },
      ],
      false,
    ),
    panel(
      PANEL_WIDTH,
      'order create, ms (log)',
      xs,
      [
        { name: 'p50', color: '#2ca02c', points: at((run) => run.kinds.order.latencyMs.p50) },
        { name: 'p99', color: '#d62728', points: at((run) => run.kinds.order.latencyMs.p99) },
      ],
      true,
    ),
    panel(
      2 * PANEL_WIDTH,
      'saga durationMs (log)',
      xs,
      [
        { name: 'p50', color: '#2ca02c', points: at((run) => run.sagas.durationMs.p50) },
        { name: 'p99', color: '#d62728', points: at((run) => run.sagas.durationMs.p99) },
      ],
      true,
    ),
    panel(
      3 * PANEL_WIDTH,
      'CPU ms per saga',
      xs,
      [
        { name: 'all processes', color: '#9467bd', points: at((run) => run.cpu.msPerSaga) },
        { name: 'system only', color: '#8c564b', points: at((run) => run.cpu.systemMsPerSaga) },
      ],
      false,
    ),
  ];
  const width = 4 * PANEL_WIDTH;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL_HEIGHT + 18}" ` +
      `viewBox="0 0 ${width} ${PANEL_HEIGHT + 18}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels,
    `<text x="4" y="${PANEL_HEIGHT + 12}" fill="#666">${escape(
      `npm run bench:mixed, ${result.options.mode} mode, ${result.options.durationMs / 1000} s per rate, ` +
        `${result.startedAt.slice(0, 16)}Z, ${result.machine.cores} cores`,
    )}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
