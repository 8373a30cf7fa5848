package io.denormq.tx.spring.boot;

import io.denormq.tx.TestDatabase;

/** {@link ListenerMethodsContract} on Spring Boot 3.5 and embedded H2. */
class ListenerMethodsTest extends ListenerMethodsContract {
    ListenerMethodsTest() {
        super(TestDatabase::h2, 3);
    }
}
