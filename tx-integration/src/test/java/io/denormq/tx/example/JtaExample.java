package io.denormq.tx.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.XAConnection;

import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.tx.jta.JtaTransactionBinding;
import jakarta.transaction.TransactionManager;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * The README's JTA example, compiled and run so that it cannot rot: Narayana as the transaction
 * manager, an H2 XA data source as the resource. The region between the {@code tag::} and
 * {@code end::} comments is quoted in the README.
 */
class JtaExample {

    @Test
    void messagesAreReleasedAfterTheDistributedCommit() throws Exception {
        Path journalDir = Files.createTempDirectory("denormq-jta-example").resolve("journal");
        String store = Files.createTempDirectory("denormq-jta-example-store").toString();
        BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class).setObjectStoreDir(store);
        BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "communicationStore").setObjectStoreDir(store);
        JdbcDataSource orders = new JdbcDataSource();
        orders.setURL("jdbc:h2:mem:jta-example;DB_CLOSE_DELAY=-1");
        try (Connection connection = orders.getConnection(); Statement ddl = connection.createStatement()) {
            ddl.execute("create table orders(id bigint primary key, customer varchar(40))");
        }
        List<String> shipped = new CopyOnWriteArrayList<>();

        // tag::example[]
        TransactionManager transactionManager = com.arjuna.ats.jta.TransactionManager.transactionManager();
        DenormQueue queue = DenormQueue.builder(journalDir)
                // in an application server: new JtaTransactionBinding(transactionSynchronizationRegistry)
                .transactions(JtaTransactionBinding.of(transactionManager))
                .handler("shipping", message -> shipped.add(message.key()))   // after every resource committed
                .build();

        transactionManager.begin();
        XAConnection xa = orders.getXAConnection();
        try {
            transactionManager.getTransaction().enlistResource(xa.getXAResource());
            try (Statement insert = xa.getConnection().createStatement()) {
                insert.executeUpdate("insert into orders values (1, 'customer-42')");
            }
            queue.publish("order-placed", "customer-42", "1", Codecs.utf8());
            transactionManager.commit();       // journaled in beforeCompletion, released in afterCompletion
        } finally {
            xa.close();
        }
        queue.awaitProcessed(Duration.ofSeconds(10));
        queue.close();
        // end::example[]

        assertThat(shipped).containsExactly("customer-42");
        try (Connection connection = orders.getConnection(); Statement query = connection.createStatement();
             ResultSet rows = query.executeQuery("select count(*) from orders")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(1);
        }
    }
}
