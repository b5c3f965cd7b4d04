/**
 * Charts as SVG, drawn on the server with Apache ECharts' server-side renderer
 * (`renderToSVGString`): no script, no network, the same bytes for the same figures. The
 * HTML report and a bundle's index inline them; the PDF report rasterises the same SVG.
 */
import * as echarts from 'echarts';
import { VISIT_RESULT_LABELS, type VisitResult } from '../domain/visit.ts';

/** The families the SVG asks for: the embedded-font name first, then the system CJK fonts. */
export const CHART_FONT =
  "'Noto Sans SC','Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif";

/** One colour per result, the same in every chart and table. */
export const RESULT_COLOURS: Record<VisitResult, string> = {
  passed: '#2e7d32',
  failed: '#c62828',
  refused: '#ef6c00',
  unreachable: '#6d4c41',
  pending: '#9e9e9e',
};

export interface ChartSize {
  width: number;
  height: number;
}

/**
 * Renders an option to SVG. ECharts numbers its class names per process; they are
 * renamed in order of appearance under `id`, so that a page with several charts has no
 * clash and the same chart gives the same bytes in any process.
 */
export function renderChart(id: string, option: echarts.EChartsCoreOption, size: ChartSize): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: CHART_FONT }, ...option });
    const names = new Map<string, string>();
    return chart
      .renderToSVGString()
      .replace(/zr\d+-[a-z]+-?\d*/g, (m) => {
        if (!names.has(m)) names.set(m, `${id}-${names.size}`);
        return names.get(m)!;
      })
      .replace('<svg ', `<svg role="img" aria-label="${id}" data-chart="${id}" `);
  } finally {
    chart.dispose();
  }
}

/** A donut of visits by result, with the counts in the legend. */
export function resultsChart(
  id: string,
  byResult: Record<string, number>,
  order: readonly VisitResult[],
  size: ChartSize = { width: 360, height: 220 },
): string {
  const data = order
    .filter((r) => byResult[r])
    .map((r) => ({
      name: `${VISIT_RESULT_LABELS[r]} ${byResult[r]}`,
      value: byResult[r]!,
      itemStyle: { color: RESULT_COLOURS[r] },
    }));
  return renderChart(
    id,
    {
      legend: { orient: 'vertical', right: 8, top: 'middle', textStyle: { fontSize: 12 } },
      series: [
        {
          type: 'pie',
          radius: ['38%', '68%'],
          center: ['32%', '50%'],
          label: { show: false },
          data: data.length ? data : [{ name: '无回访', value: 1, itemStyle: { color: '#e0e0e0' } }],
        },
      ],
    },
    size,
  );
}

/** Horizontal bars: one per label, with its value at the end. */
export function barsChart(
  id: string,
  rows: { label: string; value: number; colour?: string }[],
  size: ChartSize = { width: 360, height: 200 },
): string {
  return renderChart(
    id,
    {
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: 10 } },
      yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.label), axisLabel: { fontSize: 12 } },
      series: [
        {
          type: 'bar',
          barMaxWidth: 22,
          label: { show: true, position: 'right' },
          data: rows.map((r) => ({ value: r.value, itemStyle: { color: r.colour ?? '#1565c0' } })),
        },
      ],
    },
    size,
  );
}

/** Stacked bars of results per branch (the company page). */
export function branchResultsChart(
  id: string,
  branches: { label: string; byResult: Record<string, number> }[],
  order: readonly VisitResult[],
  size: ChartSize = { width: 720, height: 60 + 36 * Math.max(1, branches.length) },
): string {
  return renderChart(
    id,
    {
      legend: { top: 0, textStyle: { fontSize: 12 } },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: 10 } },
      yAxis: { type: 'category', inverse: true, data: branches.map((b) => b.label), axisLabel: { fontSize: 12 } },
      series: order.map((r) => ({
        type: 'bar',
        stack: 'results',
        name: VISIT_RESULT_LABELS[r],
        barMaxWidth: 22,
        itemStyle: { color: RESULT_COLOURS[r] },
        data: branches.map((b) => b.byResult[r] ?? 0),
      })),
    },
    size,
  );
}
