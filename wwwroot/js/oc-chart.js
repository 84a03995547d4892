// OpsConsole's one chart module: ApexCharts behind a small API that the OcChart Blazor component calls.
//   create(element, dotnet, spec)  draws a chart (line, area, bar, donut, pie, heatmap) from a ChartSpec
//   update(element, spec)          replaces it (a new range or query)
//   append(element, batch)         adds only new points to the series it has, sliding the window (live updates)
//   setTheme(element, dark)        follows the console's light/dark switch
//   dispose(element)               destroys it
// Zooming a time series calls back into .NET (OnZoomed) with the selected range in Unix milliseconds.
// formatValue() mirrors UnitFormatter.cs; a .NET test runs both over the same cases.

const charts = new WeakMap();
let apexLoading = null;

async function apex() {
  if (!globalThis.ApexCharts) {
    // The UMD build defines globalThis.ApexCharts when imported as a module (no CommonJS or AMD loader here).
    apexLoading ??= import("../lib/apexcharts/apexcharts.min.js");
    await apexLoading;
  }

  return globalThis.ApexCharts;
}

// Colour-blind-friendly series palettes with at least 3:1 contrast against each theme's surface.
const palettes = {
  light: ["#1f5fbf", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0e7490", "#a16207", "#be185d", "#4d7c0f", "#475569"],
  dark: ["#7aa7ff", "#fb923c", "#4ade80", "#c084fc", "#f87171", "#22d3ee", "#facc15", "#f472b6", "#a3e635", "#cbd5e1"],
};

// ---- units (mirror of UnitFormatter.cs) ------------------------------------------------------------------------
const shortSuffixes = ["", "k", "M", "B", "T"];
const byteSuffixes = ["B", "KB", "MB", "GB", "TB", "PB"];
const durationSteps = [[86400, "d"], [3600, "h"], [60, "min"], [1, "s"], [1e-3, "ms"], [1e-6, "µs"], [1e-9, "ns"]];

export function canonicalUnit(unit) {
  const u = unit == null ? "" : String(unit).trim();
  switch (u) {
    case "": case "short": case "none": return "short";
    case "reqps": case "req/s": return "reqps";
    case "ops": case "/s": return "ops";
    case "s": return "s";
    case "ms": return "ms";
    case "us": case "µs": return "us";
    case "ns": return "ns";
    case "bytes": case "decbytes": return "bytes";
    case "percent": case "%": return "percent";
    case "percentunit": return "percentunit";
    case "currencyUSD": case "$": case "usd": case "USD": return "currencyUSD";
    default: return null;
  }
}

function roundAway(value, digits) {
  const f = Math.pow(10, digits);
  return Math.sign(value) * Math.round(Math.abs(value) * f) / f;
}

function autoDecimals(abs) {
  return abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
}

function number(value, digits, trim) {
  let rounded = roundAway(value, digits);
  if (rounded === 0) {
    rounded = 0; // no "-0"
  }

  let text = rounded.toFixed(digits);
  if (trim && digits > 0) {
    text = text.replace(/0+$/, "").replace(/\.$/, "");
  }

  return text;
}

function short(value, decimals) {
  const abs = Math.abs(value);
  if (abs < 1000) {
    return number(value, decimals ?? autoDecimals(abs), decimals == null);
  }

  let step = 0;
  let scaled = value;
  while (Math.abs(scaled) >= 1000 && step < shortSuffixes.length - 1) {
    scaled /= 1000;
    step++;
  }

  let digits = decimals ?? (Math.abs(scaled) >= 100 ? 0 : 1);
  if (Math.abs(roundAway(scaled, digits)) >= 1000 && step < shortSuffixes.length - 1) {
    scaled /= 1000;
    step++;
    digits = decimals ?? 1;
  }

  return number(scaled, digits, decimals == null) + shortSuffixes[step];
}

function duration(seconds, decimals) {
  const abs = Math.abs(seconds);
  if (abs === 0) {
    return decimals != null ? number(0, decimals, false) + " s" : "0 s";
  }

  let index = durationSteps.length - 1;
  for (let i = 0; i < durationSteps.length; i++) {
    if (abs >= durationSteps[i][0]) {
      index = i;
      break;
    }
  }

  let scaled = seconds / durationSteps[index][0];
  let digits = decimals ?? autoDecimals(Math.abs(scaled));
  if (index > 0 && Math.abs(roundAway(scaled, digits)) * durationSteps[index][0] >= durationSteps[index - 1][0]) {
    index--;
    scaled = seconds / durationSteps[index][0];
    digits = decimals ?? autoDecimals(Math.abs(scaled));
  }

  return number(scaled, digits, decimals == null) + " " + durationSteps[index][1];
}

function bytes(value, decimals) {
  let step = 0;
  let scaled = value;
  while (Math.abs(scaled) >= 1024 && step < byteSuffixes.length - 1) {
    scaled /= 1024;
    step++;
  }

  return number(scaled, decimals ?? (step === 0 ? 0 : 1), false) + " " + byteSuffixes[step];
}

function percent(value, decimals) {
  const abs = Math.abs(value);
  const digits = decimals ?? (abs >= 100 ? 0 : abs >= 1 ? 2 : 3);
  return number(value, digits, decimals == null) + " %";
}

function dollars(value, decimals) {
  const abs = Math.abs(value);
  const sign = value < 0 ? "-" : "";
  if (abs >= 1e6) {
    return sign + "$" + short(abs, decimals);
  }

  const digits = decimals ?? (abs >= 1000 ? 0 : 2);
  return sign + "$" + roundAway(abs, digits).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatValue(value, unit, decimals) {
  decimals = decimals ?? null;
  if (value === null || value === undefined || Number.isNaN(value)) {
    return "–";
  }

  if (!Number.isFinite(value)) {
    return value > 0 ? "∞" : "-∞";
  }

  switch (canonicalUnit(unit)) {
    case "short": return short(value, decimals);
    case "reqps": return short(value, decimals) + " req/s";
    case "ops": return short(value, decimals) + "/s";
    case "s": return duration(value, decimals);
    case "ms": return duration(value / 1e3, decimals);
    case "us": return duration(value / 1e6, decimals);
    case "ns": return duration(value / 1e9, decimals);
    case "bytes": return bytes(value, decimals);
    case "percent": return percent(value, decimals);
    case "percentunit": return percent(value * 100, decimals);
    case "currencyUSD": return dollars(value, decimals);
    default: return short(value, decimals) + " " + String(unit).trim();
  }
}

// ---- chart options -----------------------------------------------------------------------------------------------
const timeKinds = new Set(["line", "area", "heatmap"]);

function seriesOf(spec) {
  return (spec.series ?? []).map(s => ({ name: s.name, data: (s.points ?? []).map(p => [p.x, p.y]) }));
}

function themeColors(dark) {
  return { fore: dark ? "#d1d5db" : "#374151", grid: dark ? "#2d3748" : "#e5e7eb" };
}

function buildOptions(spec, element) {
  const dark = !!spec.dark;
  const colors = themeColors(dark);
  const fmt = v => formatValue(v, spec.unit, spec.decimals);
  const isTime = timeKinds.has(spec.kind);
  const zoomable = isTime && spec.kind !== "heatmap" && !spec.sparkline;
  const options = {
    chart: {
      type: spec.kind === "heatmap" ? "heatmap" : spec.kind,
      height: spec.height || 240,
      background: "transparent",
      foreColor: colors.fore,
      fontFamily: "inherit",
      animations: { enabled: false },
      redrawOnParentResize: true,
      toolbar: {
        show: zoomable,
        tools: { download: false, selection: false, zoom: true, zoomin: false, zoomout: false, pan: false, reset: true },
        autoSelected: "zoom",
      },
      zoom: { enabled: zoomable, type: "x", autoScaleYaxis: false },
      stacked: !!spec.stacked,
      sparkline: { enabled: !!spec.sparkline },
      events: {
        zoomed: (_ctx, range) => onZoomed(element, range),
      },
    },
    theme: { mode: dark ? "dark" : "light" },
    colors: spec.colors?.length ? spec.colors : palettes[dark ? "dark" : "light"],
    grid: { borderColor: colors.grid },
    dataLabels: { enabled: false },
    legend: { show: spec.legend !== false, position: "bottom", showForSingleSeries: false, onItemClick: { toggleDataSeries: true } },
    tooltip: { theme: dark ? "dark" : "light", shared: spec.kind === "line" || spec.kind === "area", y: { formatter: fmt } },
    noData: { text: "No data for this query in this range" },
  };

  if (isTime) {
    options.series = seriesOf(spec);
    options.xaxis = { type: "datetime", min: spec.xMin ?? undefined, max: spec.xMax ?? undefined, labels: { datetimeUTC: false } };
    options.yaxis = { min: spec.min ?? undefined, max: spec.max ?? undefined, labels: { formatter: fmt } };
    options.tooltip.x = { format: "MMM d HH:mm:ss" };
    if (spec.kind === "heatmap") {
      options.plotOptions = { heatmap: { radius: 0, enableShades: true } };
      options.yaxis = { labels: { formatter: v => v } };
    } else {
      options.stroke = { width: 2, curve: "straight" };
      options.markers = { size: 0 };
      options.fill = spec.kind === "area" ? { type: "gradient", gradient: { opacityFrom: 0.35, opacityTo: 0.05 } } : { type: "solid" };
    }
  } else if (spec.kind === "bar") {
    options.series = (spec.series ?? []).map(s => ({ name: s.name, data: s.values ?? [] }));
    options.xaxis = { categories: spec.categories ?? [], labels: spec.horizontal ? { formatter: fmt } : {} };
    options.yaxis = spec.horizontal ? {} : { min: spec.min ?? undefined, max: spec.max ?? undefined, labels: { formatter: fmt } };
    options.plotOptions = { bar: { horizontal: !!spec.horizontal, borderRadius: 3, distributed: false } };
  } else {
    // donut, pie
    options.series = (spec.series?.[0]?.values ?? []).map(v => v ?? 0);
    options.labels = spec.categories ?? [];
    options.stroke = { width: 1, colors: [dark ? "#1a2233" : "#ffffff"] };
    options.plotOptions = {
      pie: { donut: { labels: { show: spec.kind === "donut", value: { formatter: v => fmt(Number(v)) }, total: { show: spec.kind === "donut", formatter: w => fmt(w.globals.seriesTotals.reduce((a, b) => a + b, 0)) } } } },
    };
  }

  if (spec.kind !== "donut" && spec.kind !== "pie") {
    const yaxis = (spec.thresholds ?? []).map(t => ({
      y: t.value,
      borderColor: t.color,
      strokeDashArray: 4,
      label: { text: t.label ?? fmt(t.value), borderColor: t.color, position: "left", textAnchor: "start", style: { color: "#ffffff", background: t.color } },
    }));
    const xaxis = (spec.annotations ?? []).map(a => ({
      x: a.x,
      x2: a.x2 ?? undefined,
      borderColor: a.color,
      fillColor: a.color,
      opacity: 0.12,
      label: { text: a.label, borderColor: a.color, orientation: "horizontal", style: { color: "#ffffff", background: a.color } },
    }));
    options.annotations = { yaxis, xaxis };
  }

  return options;
}

function onZoomed(element, range) {
  const state = charts.get(element);
  const min = range?.xaxis?.min;
  const max = range?.xaxis?.max;
  if (!state || state.silent || typeof min !== "number" || typeof max !== "number" || !(max > min)) {
    return;
  }

  state.dotnet?.invokeMethodAsync("OnZoomed", Math.round(min), Math.round(max)).catch(() => { /* the circuit is gone */ });
}

// The element says how many points it draws and the newest one's time, so tests (and curious people) can see
// live points arrive without reading the SVG.
function mark(element, series) {
  let points = 0;
  let lastX = null;
  for (const s of series) {
    points += s.data.length;
    if (s.data.length) {
      const x = s.data[s.data.length - 1][0];
      lastX = lastX === null ? x : Math.max(lastX, x);
    }
  }

  element.dataset.points = String(points);
  element.dataset.lastX = lastX === null ? "" : String(lastX);
}

// ---- API ---------------------------------------------------------------------------------------------------------
export async function create(element, dotnet, spec) {
  const ApexCharts = await apex();
  if (!element || !element.isConnected) {
    return; // removed while ApexCharts loaded
  }

  dispose(element);
  const chart = new ApexCharts(element, buildOptions(spec, element));
  const state = { chart, dotnet, spec, series: seriesOf(spec), silent: false };
  charts.set(element, state);
  await chart.render();
  mark(element, state.series);
}

export async function update(element, spec) {
  const state = charts.get(element);
  if (!state) {
    return;
  }

  state.spec = spec;
  state.series = seriesOf(spec);
  mark(element, state.series);
  state.silent = true;
  try {
    await state.chart.updateOptions(buildOptions(spec, element), true, false, false);
  } finally {
    state.silent = false;
  }
}

// batch: { points: [{ series, x, y }], xMin, xMax, replaceFrom } — series is the series' name (a new name adds a
// series); points at or after replaceFrom are dropped first, because the newest step is evaluated again.
export async function append(element, batch) {
  const state = charts.get(element);
  if (!state || !timeKinds.has(state.spec.kind)) {
    return 0;
  }

  if (typeof batch.replaceFrom === "number") {
    for (const s of state.series) {
      while (s.data.length && s.data[s.data.length - 1][0] >= batch.replaceFrom) {
        s.data.pop();
      }
    }
  }

  const byName = new Map(state.series.map(s => [s.name, s]));
  let added = 0;
  for (const p of batch.points ?? []) {
    let s = byName.get(p.series);
    if (!s) {
      s = { name: p.series, data: [] };
      state.series.push(s);
      byName.set(p.series, s);
    }

    const last = s.data.length ? s.data[s.data.length - 1][0] : -Infinity;
    if (p.x > last) {
      s.data.push([p.x, p.y]);
      added++;
    } else if (p.x === last) {
      s.data[s.data.length - 1] = [p.x, p.y];
      added++;
    }
  }

  if (typeof batch.xMin === "number") {
    for (const s of state.series) {
      let drop = 0;
      while (drop < s.data.length && s.data[drop][0] < batch.xMin) {
        drop++;
      }

      if (drop) {
        s.data.splice(0, drop);
      }
    }
  }

  state.spec = { ...state.spec, xMin: batch.xMin ?? state.spec.xMin, xMax: batch.xMax ?? state.spec.xMax };
  mark(element, state.series);
  state.silent = true;
  try {
    await state.chart.updateOptions({
      series: state.series,
      xaxis: { min: batch.xMin ?? undefined, max: batch.xMax ?? undefined },
    }, false, false, false);
  } finally {
    state.silent = false;
  }

  return added;
}

export async function setTheme(element, dark) {
  const state = charts.get(element);
  if (!state || !!state.spec.dark === !!dark) {
    return;
  }

  // Keep the points appended since the last full update.
  state.spec = { ...state.spec, dark: !!dark };
  const options = buildOptions(state.spec, element);
  if (timeKinds.has(state.spec.kind)) {
    options.series = state.series;
  }

  state.silent = true;
  try {
    await state.chart.updateOptions(options, true, false, false);
  } finally {
    state.silent = false;
  }
}

export function dispose(element) {
  const state = charts.get(element);
  if (state) {
    charts.delete(element);
    state.chart.destroy();
  }
}
