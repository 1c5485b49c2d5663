import { BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartOptions } from 'chart.js';

let registered = false;

/** Registers only the Chart.js parts the dashboard uses (keeps the bundle small). */
export function registerCharts(): void {
  if (registered) return;
  Chart.register(BarElement, CategoryScale, LinearScale, Tooltip, Legend);
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  registered = true;
}

export const palette = [
  '#3b82f6',
  '#f59e0b',
  '#10b981',
  '#ef4444',
  '#8b5cf6',
  '#ec4899',
  '#14b8a6',
  '#84cc16',
  '#f97316',
  '#64748b',
];

/** Axis text at 4.5:1 or better on the card's background, in each theme (the --muted of style.css). */
const TEXT = { light: '#4f5968', dark: '#a7b1c2' };
const GRID = { light: 'rgba(79, 89, 104, 0.2)', dark: 'rgba(167, 177, 194, 0.2)' };

export function barOptions(horizontal: boolean, dark = false): ChartOptions<'bar'> {
  const color = dark ? TEXT.dark : TEXT.light;
  const grid = { color: dark ? GRID.dark : GRID.light };
  return {
    responsive: true,
    maintainAspectRatio: false,
    // Live data re-renders often; animating every tick only distracts on a wall screen.
    animation: false,
    color,
    indexAxis: horizontal ? 'y' : 'x',
    plugins: { legend: { display: false } },
    scales: {
      // sampleSize: Chart.js measures every label's text on each update unless told to sample;
      // with 60 minute labels that was the page's heaviest function during a presale.
      x: horizontal
        ? { beginAtZero: true, grid, ticks: { precision: 0, color } }
        : { grid, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8, sampleSize: 8, color } },
      y: horizontal
        ? { grid, ticks: { autoSkip: false, sampleSize: 10, color } }
        : { beginAtZero: true, grid, ticks: { precision: 0, color } },
    },
  };
}
