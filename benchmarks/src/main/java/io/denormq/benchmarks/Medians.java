package io.denormq.benchmarks;

import java.util.ArrayList;
import java.util.List;

/** The median the harnesses that summarise rounds report: robust to the odd round a busy machine spoils. */
final class Medians {
    private Medians() {
    }

    /** @return the median of {@code values} (the mean of the middle two for an even count); the list is not changed */
    static double of(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
