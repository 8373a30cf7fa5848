package io.denormq.tx.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.denormq.DenormQueue;
import io.denormq.MessageHandler;
import io.denormq.json.Jackson2Codec;
import io.denormq.tx.spring.events.DenormqEvent;
import io.denormq.tx.spring.events.DenormqEventForwarder;
import io.denormq.tx.spring.events.DenormqKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.PayloadApplicationEvent;

/**
 * When {@link DenormqEventsAutoConfiguration} registers the forwarder, in real Boot contexts: with the
 * auto-configured queue, with the application's own queue, not without a queue, and not when the
 * application has its own forwarder.
 */
class DenormqEventsAutoConfigurationTest {
    private static final Duration AWAIT = Duration.ofSeconds(30);

    @DenormqEvent(topic = "greetings")
    record Greeted(@DenormqKey String name) {
    }

    private final List<Object> handled = new CopyOnWriteArrayList<>();
    private final List<Object> springListened = new CopyOnWriteArrayList<>();
    private Path journalDir;
    private ApplicationContextRunner runner;

    @BeforeEach
    void setUp() throws Exception {
        journalDir = Files.createTempDirectory("denormq-events-boot").resolve("journal");
        ApplicationListener<PayloadApplicationEvent<Greeted>> spring = event -> springListened.add(event.getPayload());
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, DenormqAutoConfiguration.class,
                        DenormqEventsAutoConfiguration.class))
                .withBean("greetings", MessageHandler.class, () -> message -> handled.add(message.payload(Greeted.class)))
                .withBean("springListener", ApplicationListener.class, () -> spring);
    }

    @Test
    void shouldForwardMarkedEventsToTheAutoConfiguredQueue() {
        runner.withPropertyValues("denormq.journal-dir=" + journalDir).run(context -> {
            assertThat(context).hasSingleBean(DenormqEventForwarder.class);
            context.publishEvent(new Greeted("ada"));
            assertThat(context.getBean(DenormQueue.class).awaitProcessed(AWAIT)).isTrue();
            assertThat(handled).containsExactly(new Greeted("ada"));
            assertThat(springListened).containsExactly(new Greeted("ada"));
        });
    }

    @Test
    void shouldForwardToTheApplicationsOwnQueue() {
        runner.withBean("ownQueue", DenormQueue.class, () -> DenormQueue.builder(journalDir).codec(Jackson2Codec.create())
                        .handler("own", message -> handled.add(message.key())).build())
                .run(context -> {
                    assertThat(context).hasSingleBean(DenormqEventForwarder.class);
                    context.publishEvent(new Greeted("grace"));
                    assertThat(context.getBean(DenormQueue.class).awaitProcessed(AWAIT)).isTrue();
                    assertThat(handled).containsExactly("grace");
                });
    }

    @Test
    void shouldLeaveMarkedEventsToSpringWithoutAQueue() {
        runner.withPropertyValues("denormq.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(DenormqEventForwarder.class);
            context.publishEvent(new Greeted("alan"));
            assertThat(springListened).containsExactly(new Greeted("alan"));
        });
    }

    @Test
    void shouldBackOffWhenTheApplicationHasItsOwnForwarder() {
        runner.withPropertyValues("denormq.journal-dir=" + journalDir)
                .withBean("ownForwarder", DenormqEventForwarder.class,
                        () -> new DenormqEventForwarder(() -> {
                            throw new IllegalStateException("not used in this test");
                        }))
                .run(context -> assertThat(context).hasSingleBean(DenormqEventForwarder.class).hasBean("ownForwarder"));
    }
}
