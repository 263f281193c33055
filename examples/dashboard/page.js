// @ts-nocheck
/*
 * Draws the dashboard's charts in the browser. This file is inlined as is into dashboard.html, after
 * Chart.js, and reads the indicators embedded in the page (the JSON script element with id "indicators"):
 * the page needs no network when it is viewed. The numbers are also in the table under each chart, which is
 * what screen readers and printouts use; a hidden (suppressed) count has no bar.
 *
 * When it is done it sets data-charts-ready="true" on the root element (data-charts-error on failure), for tests and
 * for anyone embedding the page.
 */
(() => {
  'use strict';
  const root = document.documentElement;
  try {
    const data = JSON.parse(document.getElementById('indicators').textContent);
    const Chart = window.Chart;
    Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    Chart.defaults.color = '#333333';
    // Okabe-Ito colours: told apart with the common colour-vision deficiencies.
    const colors = { count: '#0072B2', implemented: '#009E73', not_implemented: '#E69F00' };

    for (const indicator of data.charts) {
      const canvas = document.getElementById(`chart-${indicator.id}`);
      // The height follows the number of bars. Set through the CSSOM, which the page's CSP allows (style
      // attributes in the markup it does not).
      canvas.parentElement.style.height = `${indicator.horizontal ? Math.max(180, 70 + indicator.categories.length * 30) : 300}px`;
      const valueAxis = {
        beginAtZero: true,
        stacked: indicator.stacked,
        ticks: { precision: 0 },
        title: { display: true, text: indicator.total ? indicator.total.label : indicator.series[0].label },
      };
      const categoryAxis = { stacked: indicator.stacked, grid: { display: false } };
      new Chart(canvas, {
        type: 'bar',
        data: {
          labels: indicator.categories.map((category) => category.label),
          datasets: indicator.series.map((series) => ({
            label: series.label,
            data: series.cells.map((cell) => cell.value),
            backgroundColor: colors[series.key] ?? colors.count,
            borderWidth: 0,
          })),
        },
        options: {
          indexAxis: indicator.horizontal ? 'y' : 'x',
          responsive: true,
          maintainAspectRatio: false,
          // Drawn at once: nothing moves for people who get motion sickness, and a printout is complete.
          animation: false,
          scales: indicator.horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
          plugins: {
            legend: { display: indicator.series.length > 1, position: 'bottom' },
            tooltip: {
              callbacks: {
                label: (context) => `${context.dataset.label}: ${indicator.series[context.datasetIndex].cells[context.dataIndex].display}`,
              },
            },
          },
        },
      });
    }
    root.dataset.chartsReady = 'true';
  } catch (error) {
    root.dataset.chartsError = error instanceof Error ? error.message : String(error);
    throw error;
  }
})();
