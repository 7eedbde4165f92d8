"""The report page's stylesheet: readable at 1280 px, and printable (no chart
cut across pages, tables with ruled cells that read in black and white)."""

CSS = """
:root { --ink: #1d1d1f; --muted: #5a5a60; --rule: #c9c9cf; --band: #f3f3f6; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 20px 40px; }
h1 { font-size: 1.6rem; margin: 0 0 6px; }
h2 { font-size: 1.15rem; margin: 0 0 10px; }
header p { color: var(--muted); margin: 0 0 14px; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.88em; }
section { margin: 28px 0; padding-top: 18px; border-top: 1px solid var(--rule); }
.kpis { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 10px;
  margin: 0; }
.kpis div { border: 1px solid var(--rule); border-radius: 6px; padding: 8px 12px; }
.kpis dt { color: var(--muted); font-size: 0.85rem; }
.kpis dd { margin: 2px 0 0; font-size: 1.5rem; font-weight: 600;
  font-variant-numeric: tabular-nums; }
.skipped { border: 2px solid #b3261e; border-radius: 6px; padding: 8px 14px;
  margin: 0 0 14px; background: #fdf0ef; }
.skipped h2 { color: #b3261e; font-size: 1rem; margin: 4px 0; }
.pair { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 20px;
  align-items: start; }
section.wide .pair { grid-template-columns: minmax(0, 1fr); }
section.wide figure { max-width: 900px; }
figure { margin: 0; }
svg.chart { display: block; width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 0.85rem; margin-top: 4px; }
.numbers { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.85rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; color: var(--muted); padding-bottom: 4px; }
th, td { border: 1px solid var(--rule); padding: 3px 8px; }
thead th { background: var(--band); text-align: left; vertical-align: bottom; }
tbody th { text-align: left; font-weight: 600; white-space: nowrap; }
td.n { text-align: right; white-space: nowrap; }
td small { color: var(--muted); }
#action-items ul, #data-gaps ul { padding-left: 20px; }
#action-items ul { columns: 2 480px; column-gap: 32px; }
#action-items li { break-inside: avoid; }
dl dt { font-weight: 600; }
#definitions dd { margin: 0 0 8px 0; }
footer { color: var(--muted); font-size: 0.8rem; margin-top: 30px; }
@media (max-width: 1000px) {
  .pair { grid-template-columns: minmax(0, 1fr); }
  .kpis { grid-template-columns: repeat(2, minmax(0, 1fr)); }
}
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { font-size: 10pt; color: #000; }
  main { max-width: none; padding: 0; }
  .pair { grid-template-columns: minmax(0, 1fr); }
  .kpis { grid-template-columns: repeat(4, minmax(0, 1fr)); }
  /* A chart never splits: it is shrunk to fit a page, and moved whole. */
  figure, .kpis, .skipped, tr, h2 { break-inside: avoid; page-break-inside: avoid; }
  svg.chart { width: auto; height: auto; max-width: 100%; max-height: 165mm; }
  h2 { break-after: avoid; page-break-after: avoid; }
  section { border-top: 1px solid #000; }
  .numbers { overflow: visible; }
  th, td { border: 1px solid #000; color: #000; }
  thead th { background: none; border-bottom: 2px solid #000; }
  td small, caption, figcaption, header p, .kpis dt { color: #000; }
  .skipped { background: none; border-color: #000; }
  .skipped h2 { color: #000; }
}
"""
