package io.denormq.tx.spring.boot;

import io.denormq.tx.TestDatabase;

/** {@link ListenerMethodsContract} on Spring Boot 4 (Spring Framework 7, Jackson 3) and embedded H2. */
class Boot4ListenerMethodsTest extends ListenerMethodsContract {
    Boot4ListenerMethodsTest() {
        super(TestDatabase::h2, 4);
    }
}
