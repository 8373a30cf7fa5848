package io.denormq.tx.spring.boot;

import io.denormq.tx.TestDatabase;

/** {@link ListenerMethodsContract} on Spring Boot 3.5 and PostgreSQL (see {@link TestDatabase#postgres()}). */
class ListenerMethodsPostgresTest extends ListenerMethodsContract {
    ListenerMethodsPostgresTest() {
        super(TestDatabase::postgres, 3);
    }
}
