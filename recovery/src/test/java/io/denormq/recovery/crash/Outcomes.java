package io.denormq.recovery.crash;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the children's {@link OutcomeLog} says, read back by the test after the last run. An entry
 * without its end mark (cut short by a kill) is skipped: it can only be the last one a child wrote.
 *
 * @param intents      what each transaction set out to do, by transaction id
 * @param acknowledged transactions whose commit returned
 * @param started      runs that started
 * @param queueStarted runs whose queue finished recovery
 * @param drained      drain runs, and whether everything released was processed
 */
record Outcomes(Map<Long, Intent> intents, Set<Long> acknowledged, Set<Integer> started, Set<Integer> queueStarted,
                Map<Integer, Boolean> drained) {
    /**
     * @param messages how many messages the transaction publishes
     * @param rollback whether it rolls back instead of committing
     */
    record Intent(int messages, boolean rollback) {
    }

    /**
     * @param file the log
     * @return what it says
     * @throws IOException if it cannot be read
     */
    static Outcomes read(Path file) throws IOException {
        Outcomes outcomes = new Outcomes(new HashMap<>(), new HashSet<>(), new HashSet<>(), new HashSet<>(),
                new HashMap<>());
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            String[] fields = line.split(" ");
            if (fields.length >= 3 && fields[fields.length - 1].equals(".")) {
                outcomes.parse(fields);
            }
        }
        return outcomes;
    }

    private void parse(String[] fields) {
        switch (fields[0]) {
            case "S" -> started.add(Integer.parseInt(fields[1]));
            case "Q" -> queueStarted.add(Integer.parseInt(fields[1]));
            case "B" -> intents.put(Long.parseLong(fields[1]),
                    new Intent(Integer.parseInt(fields[2]), fields[3].equals("R")));
            case "A" -> acknowledged.add(Long.parseLong(fields[1]));
            case "D" -> drained.put(Integer.parseInt(fields[1]), Boolean.parseBoolean(fields[2]));
            default -> throw new IllegalArgumentException("unknown outcome log entry " + String.join(" ", fields));
        }
    }

    /** @return runs killed before their queue had finished recovery (built) */
    long runsKilledBeforeRecoveryEnded() {
        return started.stream().filter(run -> !queueStarted.contains(run)).count();
    }
}
