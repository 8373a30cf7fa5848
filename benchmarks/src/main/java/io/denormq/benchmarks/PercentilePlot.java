package io.denormq.benchmarks;

import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A latency distribution drawn as a picture: for each series, latency (µs, log scale) against the
 * percentile, whose axis is stretched towards the tail ({@code log10(1 / (1 - p))}: 90 %, 99 %,
 * 99.9 % ... equally spaced), the way HdrHistogram's percentile output is usually plotted. Written as
 * a PNG next to the harness's text output ({@code bench.resultsDir}), to be linked from RESULTS.md.
 */
final class PercentilePlot {
    private static final double MAX_PERCENTILE = 99.999;
    private final String title;
    private final List<String> names = new ArrayList<>();
    private final List<Histogram> histograms = new ArrayList<>();

    /** @param title the chart's title: what was measured, and where */
    PercentilePlot(String title) {
        this.title = title;
    }

    /**
     * @param name      the series' legend
     * @param histogram nanoseconds
     * @return this plot
     */
    PercentilePlot add(String name, Histogram histogram) {
        names.add(name);
        histograms.add(histogram.copy());
        return this;
    }

    /**
     * Writes the plot as {@code <resultsDir>/<fileName>.png}.
     *
     * @param fileName the file's name without extension
     * @return the file written
     * @throws IOException if it cannot be written
     */
    Path write(String fileName) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(1000).height(600).title(title).xAxisTitle("percentile")
                .yAxisTitle("latency (µs)").build();
        XYStyler styler = chart.getStyler();
        styler.setYAxisLogarithmic(true);
        // x is log10(1 / (1 - p)) on a linear axis, whose ticks fall on whole numbers: 0 %, 90 %, 99 % ...
        styler.setXAxisMin(0.0);
        styler.setXAxisMax(Math.log10(100 / (100 - MAX_PERCENTILE)));
        styler.setXAxisTickMarkSpacingHint(120);
        styler.setxAxisTickLabelsFormattingFunction(PercentilePlot::percentileLabel);
        for (int i = 0; i < names.size(); i++) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (HistogramIterationValue value : histograms.get(i).percentiles(5)) {
                double percentile = value.getPercentileLevelIteratedTo();
                if (percentile > MAX_PERCENTILE) {
                    break;
                }
                x.add(Math.log10(100 / (100 - percentile)));
                // a log axis cannot show 0: a zero reads as 1 ns (sub-100 ns operations must stay visible)
                y.add(Math.max(0.001, histograms.get(i).highestEquivalentValue(value.getValueIteratedTo()) / 1e3));
            }
            if (x.isEmpty()) {
                continue;
            }
            XYSeries series = chart.addSeries(names.get(i), x, y);
            series.setMarker(SeriesMarkers.NONE);
            series.setLineStyle(new BasicStroke(2f));
        }
        Path dir = Path.of(System.getProperty("bench.resultsDir", "target")).toAbsolutePath();
        Files.createDirectories(dir);
        Path file = dir.resolve(fileName + ".png");
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        System.out.println("percentile plot: " + file);
        return file;
    }

    /** The tick at {@code log10(1 / (1 - p))} read back as p: 0 → 0 %, 1 → 90 %, 2 → 99 %, 3 → 99.9 %. */
    private static String percentileLabel(double tick) {
        double percentile = 100 - 100 / Math.pow(10, tick);
        int digits = Math.max(0, (int) Math.ceil(tick - 1e-9) - 2);
        return String.format(java.util.Locale.ROOT, "%." + digits + "f%%", percentile);
    }
}
