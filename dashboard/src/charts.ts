import { BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartOptions } from 'chart.js';

let registered = false;

/** Registers only the Chart.js parts the dashboard uses (keeps the bundle small). */
export function registerCharts(): void {
  if (registered) return;
  Chart.register(BarElement, CategoryScale, LinearScale, Tooltip, Legend);
  Chart.defaults.color = '#8b95a7';
  Chart.defaults.borderColor = 'rgba(139, 149, 167, 0.25)';
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  registered = true;
}

export const palette = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#ec4899', '#14b8a6', '#84cc16', '#f97316', '#64748b'];

export function barOptions(horizontal: boolean): ChartOptions<'bar'> {
  return {
    responsive: true,
    maintainAspectRatio: false,
    // Live data re-renders often; animating every tick only distracts on a wall screen.
    animation: false,
    indexAxis: horizontal ? 'y' : 'x',
    plugins: { legend: { display: false } },
    scales: {
      x: horizontal ? { beginAtZero: true, ticks: { precision: 0 } } : { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } },
      y: horizontal ? { ticks: { autoSkip: false } } : { beginAtZero: true, ticks: { precision: 0 } },
    },
  };
}
