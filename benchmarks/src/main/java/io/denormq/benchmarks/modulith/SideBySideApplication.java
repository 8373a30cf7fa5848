package io.denormq.benchmarks.modulith;

import java.util.Map;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.EnableAsync;

/**
 * A minimal non-web Spring Boot application: an H2 in-memory database behind Boot's default HikariCP
 * pool and transaction manager, and Spring Modulith's Event Publication Registry with its JDBC store.
 * {@code @EnableAsync} makes {@link OrderPlacedListener}'s {@code @ApplicationModuleListener} run on
 * Boot's task executor, as Modulith recommends for listeners between modules.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableAsync
@Import(OrderPlacedListener.class)
public class SideBySideApplication {
    /**
     * Settings a user of Modulith would make: everything else is Boot's default (pool of 10 connections,
     * task executor of 8 threads, publications marked complete with an UPDATE).
     */
    private static final Map<String, Object> PROPERTIES = Map.of(
            "spring.main.banner-mode", "off",
            "spring.datasource.url", "jdbc:h2:mem:side-by-side;DB_CLOSE_DELAY=-1",
            "spring.datasource.username", "sa",
            "spring.modulith.events.jdbc.schema-initialization.enabled", "true",
            // the harness builds its own queue, with its own handler, on a temporary journal
            "denormq.enabled", "false",
            "logging.level.root", "warn");

    /**
     * Starts the application.
     *
     * @return the running context; close it when done
     */
    public static ConfigurableApplicationContext start() {
        return start(Map.of());
    }

    /**
     * Starts the application on another database.
     *
     * @param overrides properties that replace the defaults (e.g. {@code spring.datasource.url})
     * @return the running context; close it when done
     */
    public static ConfigurableApplicationContext start(Map<String, Object> overrides) {
        Map<String, Object> properties = new java.util.HashMap<>(PROPERTIES);
        properties.putAll(overrides);
        return new SpringApplicationBuilder(SideBySideApplication.class)
                .web(WebApplicationType.NONE)
                .properties(properties)
                .logStartupInfo(false)
                .run();
    }
}
