package io.denormq.tx.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.tx.spring.SpringTransactionBinding;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The README's Spring example, compiled and run so that it cannot rot. The region between the
 * {@code tag::} and {@code end::} comments is quoted in the README.
 */
class SpringExample {

    @Test
    void customerTotalsFollowOrdersInSpringTransactions() throws Exception {
        Path journalDir = Files.createTempDirectory("denormq-spring-example").resolve("journal");
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:spring-example;DB_CLOSE_DELAY=-1");

        // tag::example[]
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        jdbc.execute("create table orders(id bigint primary key, customer varchar(40), amount int)");
        jdbc.execute("create table customer_totals(customer varchar(40) primary key, total int, last_sequence bigint)");
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));

        DenormQueue queue = DenormQueue.builder(journalDir)
                .transactions(new SpringTransactionBinding())          // publish joins Spring's transactions
                .handler("customer-totals", message -> jdbc.update(    // its own connection, after the commit
                        "merge into customer_totals t using (values (?, ?, ?)) s(customer, amount, seq) "
                                + "on t.customer = s.customer "
                                + "when matched and t.last_sequence < s.seq then "
                                + "  update set total = t.total + s.amount, last_sequence = s.seq "
                                + "when not matched then insert values (s.customer, s.amount, s.seq)",
                        message.key(), Integer.parseInt(message.payload(Codecs.utf8())), message.sequence()))
                .build();

        transactions.executeWithoutResult(status -> {                  // or a @Transactional method
            jdbc.update("insert into orders values (?, ?, ?)", 1, "customer-42", 250);
            queue.publish("order-placed", "customer-42", "250", Codecs.utf8());
        });                                                            // journaled, committed, then released
        transactions.executeWithoutResult(status -> {
            jdbc.update("insert into orders values (?, ?, ?)", 2, "customer-42", 99);
            queue.publish("order-placed", "customer-42", "99", Codecs.utf8());
            status.setRollbackOnly();                                  // rolled back: never delivered
        });
        queue.awaitProcessed(Duration.ofSeconds(10));
        queue.close();
        // end::example[]

        assertThat(jdbc.queryForObject("select total from customer_totals where customer = 'customer-42'",
                Integer.class)).isEqualTo(250);
    }
}
