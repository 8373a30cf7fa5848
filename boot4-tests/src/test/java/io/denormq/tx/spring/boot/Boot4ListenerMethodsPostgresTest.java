package io.denormq.tx.spring.boot;

import io.denormq.tx.TestDatabase;

/** {@link ListenerMethodsContract} on Spring Boot 4 (Spring Framework 7, Jackson 3) and PostgreSQL. */
class Boot4ListenerMethodsPostgresTest extends ListenerMethodsContract {
    Boot4ListenerMethodsPostgresTest() {
        super(TestDatabase::postgres, 4);
    }
}
